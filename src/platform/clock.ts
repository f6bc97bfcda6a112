/** Now, in epoch seconds (the unit of JWT times and of every time the stores keep). */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
