import { IsInt, IsString, Length, Max, Min } from 'class-validator';

/** One line of the cart; the same sku adds up. */
export class CartItem {
  @IsString()
  @Length(1, 64)
  sku!: string;

  @IsInt()
  @Min(1)
  @Max(99)
  qty!: number;
}
