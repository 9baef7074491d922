// Shopping cart helpers for the git-autoloop demo.
export function total(items) {
  let sum = 0;
  for (const item of items) {
    sum += item.price * item.quantity;
  }
  return sum;
}

export function applyCoupon(cart, code) {
  var discount = 0;
  if (code == "SAVE10") {
    discount = 0.1;
  }
  debugger;
  return total(cart.items) * (1 - discount);
}

export function render(el, cart) {
  el.innerHTML = "<b>" + cart.owner + "</b>";
}
