import { IsIn } from 'class-validator';

export class PreferencesDto {
  @IsIn(['light', 'dark'])
  theme!: 'light' | 'dark';
}
