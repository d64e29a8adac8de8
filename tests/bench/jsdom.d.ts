/**
 * The part of jsdom the extraction baseline uses. @types/jsdom would bring the browser's DOM types
 * into the whole project, whose Node stream types then no longer check.
 */
declare module 'jsdom' {
  export class VirtualConsole {}
  export class JSDOM {
    constructor(html: string, options?: { url?: string; virtualConsole?: VirtualConsole });
    readonly window: { document: object };
  }
}
