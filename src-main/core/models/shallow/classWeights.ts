/** sklearn's class_weight='balanced': class c weighs n / (k * n_c), k = classes present in y (absent classes get 0). */
export function balancedClassWeights(y: number[], numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (const c of y) counts[c] += 1;
  const present = counts.filter((n) => n > 0).length;
  return counts.map((n) => (n > 0 ? y.length / (present * n) : 0));
}
