# Praat's own voice measures for one file, printed as "key value" lines that praatVoiceReference.py collects.
# Run headless: praat --run tests/reference/praatVoiceReference.praat /path/to/file.wav
# The settings are Praat's voice-report defaults (Praat manual: "Voice", "Sound: To Pitch (ac)...",
# "PointProcess: Get jitter (local)...", "Sound: To Harmonicity (cc)..."), and
# src-main/core/features/voiceQuality.ts uses the same ones by default.
form Praat voice reference
  sentence file
endform

sound = Read from file: file$
duration = Get total duration
rate = Get sampling frequency
appendInfoLine: "sample_rate ", rate
appendInfoLine: "duration ", duration

# Pitch: To Pitch (ac), time step 0 (= 0.75 / floor = 0.01 s), floor 75 Hz, 15 candidates, not "very accurate"
# (Hanning window), silence 0.03, voicing 0.45, octave cost 0.01, octave-jump cost 0.35, V/UV cost 0.14, ceiling 600 Hz.
selectObject: sound
pitch = To Pitch (ac): 0, 75, 15, "no", 0.03, 0.45, 0.01, 0.35, 0.14, 600
frames = Get number of frames
t1 = Get time from frame number: 1
dt = Get time step
appendInfoLine: "pitch_frames ", frames
appendInfoLine: "pitch_t1 ", t1
appendInfoLine: "pitch_dt ", dt
for i to frames
  f = Get value in frame: i, "Hertz"
  appendInfoLine: "pitch_f0 ", f
endfor
f0mean = Get mean: 0, 0, "Hertz"
f0median = Get quantile: 0, 0, 0.5, "Hertz"
voiced = Count voiced frames
appendInfoLine: "f0_mean ", f0mean
appendInfoLine: "f0_median ", f0median
appendInfoLine: "voiced_frames ", voiced

# Glottal pulses: Sound & Pitch: To PointProcess (cc), as "To PointProcess (periodic, cc)" does with this pitch.
selectObject: sound, pitch
pulses = To PointProcess (cc)
npulses = Get number of points
appendInfoLine: "pulse_count ", npulses
for i to npulses
  t = Get time from index: i
  appendInfoLine: "pulse ", t
endfor

# Jitter and shimmer over the whole file: period floor 0.0001 s, ceiling 0.02 s, maximum period factor 1.3,
# maximum amplitude factor 1.6.
selectObject: pulses
jitterLocal = Get jitter (local): 0, 0, 0.0001, 0.02, 1.3
jitterDdp = Get jitter (ddp): 0, 0, 0.0001, 0.02, 1.3
appendInfoLine: "jitter_local ", jitterLocal
appendInfoLine: "jitter_ddp ", jitterDdp
selectObject: sound, pulses
shimmerLocal = Get shimmer (local): 0, 0, 0.0001, 0.02, 1.3, 1.6
appendInfoLine: "shimmer_local ", shimmerLocal

# HNR: To Harmonicity (cc), time step 0.01 s, minimum pitch 75 Hz, silence threshold 0.1, 1 period per window;
# "Get mean" averages the frames that are not silent (-200 dB).
selectObject: sound
harmonicity = To Harmonicity (cc): 0.01, 75, 0.1, 1.0
hnrMean = Get mean: 0, 0
appendInfoLine: "hnr_mean ", hnrMean
