import { Controller, Get, Header } from '@nestjs/common';
import { readFileSync } from 'node:fs';

/** The page's files: plain HTML, CSS and a small script, no build step; read once at start. */
function asset(name: string): string {
  return readFileSync(new URL(`../../public/${name}`, import.meta.url), 'utf8');
}
const PAGE = asset('index.html');
const SCRIPT = asset('app.js');
const STYLES = asset('styles.css');

@Controller()
export class WebController {
  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  page(): string {
    return PAGE;
  }

  @Get('assets/app.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  script(): string {
    return SCRIPT;
  }

  @Get('assets/styles.css')
  @Header('content-type', 'text/css; charset=utf-8')
  styles(): string {
    return STYLES;
  }
}
