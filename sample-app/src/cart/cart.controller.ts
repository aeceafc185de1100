import { Body, Controller, Get, Post } from '@nestjs/common';
import { Session, type TypedSession } from 'nestjs-distributed-session';
import { CartItem } from './cart-item.js';

@Controller('api/cart')
export class CartController {
  @Get()
  list(@Session() session: TypedSession) {
    return { items: session.cart ?? [] };
  }

  /** Per-key merge: a cart change never overwrites a concurrent theme or counter change. */
  @Post('items')
  add(@Session() session: TypedSession, @Body() item: CartItem) {
    const items = session.cart ?? [];
    const line = items.find((existing) => existing.sku === item.sku);
    if (line) line.qty += item.qty;
    else items.push({ sku: item.sku, qty: item.qty });
    session.cart = items;
    return { items };
  }
}
