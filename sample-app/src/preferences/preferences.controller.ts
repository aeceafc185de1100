import { Body, Controller, Put } from '@nestjs/common';
import { Session, type TypedSession } from 'nestjs-distributed-session';
import { PreferencesDto } from './preferences.dto.js';

@Controller('api/preferences')
export class PreferencesController {
  @Put()
  update(@Session() session: TypedSession, @Body() body: PreferencesDto) {
    session.theme = body.theme;
    return { theme: body.theme };
  }
}
