import type { CartItem } from './cart/cart-item.js';

// The sample app's session data, typed by declaration merging.
declare module 'nestjs-distributed-session' {
  interface SessionData {
    counter: number;
    cart: CartItem[];
    theme: 'light' | 'dark';
  }
}

export {};
