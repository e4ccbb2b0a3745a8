"""PyTorch CPU reference for bench/training.ts: the ResNet preset (src-main/core/models/resnet.ts) on 64x94x1 log-mel
inputs, 8 classes, Adam 1e-3, batch 32, random data. Prints one JSON object: training and inference samples/s.
Debian: apt install python3-torch (then run with /usr/bin/python3)."""
import json
import sys
import time

import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout, momentum=0.1, eps=1e-5)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout, momentum=0.1, eps=1e-5)
        self.proj = None
        if stride != 1 or cin != cout:
            self.proj = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return torch.relu(y + (x if self.proj is None else self.proj(x)))


class ResNet(nn.Module):
    def __init__(self, classes=8, widths=(16, 32, 64), blocks=2, head=256, dropout=0.3):
        super().__init__()
        layers = [nn.Conv2d(1, widths[0], 3, 1, 1, bias=False), nn.BatchNorm2d(widths[0]), nn.ReLU()]
        cin = widths[0]
        for stage, w in enumerate(widths):
            for b in range(blocks):
                layers.append(Block(cin, w, 2 if stage > 0 and b == 0 else 1))
                cin = w
        self.body = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(cin, head), nn.ReLU(), nn.Dropout(dropout), nn.Linear(head, classes))

    def forward(self, x):
        return self.head(self.body(x).mean(dim=(2, 3)))


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    batch = int(sys.argv[2]) if len(sys.argv) > 2 else 32
    steps = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    channels_last = len(sys.argv) > 4 and sys.argv[4] == "channels_last"
    torch.set_num_threads(threads)
    torch.manual_seed(7)
    model = ResNet()
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.randn(batch, 1, 64, 94)
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    y = torch.arange(batch) % 8

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    model.train()
    for _ in range(2):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    train = batch * steps / (time.perf_counter() - t0)
    model.eval()
    with torch.no_grad():
        model(x)
        t0 = time.perf_counter()
        for _ in range(steps):
            model(x)
        infer = batch * steps / (time.perf_counter() - t0)
    print(json.dumps({"torch": torch.__version__, "threads": threads, "params": params, "batch": batch,
                      "train_samples_per_sec": train, "infer_samples_per_sec": infer}))


if __name__ == "__main__":
    main()
