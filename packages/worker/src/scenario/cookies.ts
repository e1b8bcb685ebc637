import { CookieJar } from "tough-cookie";

/**
 * A VU's cookie jar. Most scenarios never see a cookie, so the jar is created on the first
 * set-cookie and, until then, asking for the cookie header costs nothing.
 */
export class SessionCookies {
  private jar: CookieJar | null = null;

  /** The cookie header for a URL; empty when the jar has nothing for it. */
  header(url: string): string {
    return this.jar === null ? "" : this.jar.getCookieStringSync(url);
  }

  get empty(): boolean {
    return this.jar === null;
  }

  /** Stores a response's set-cookie values; bad cookies and cookies for another domain are ignored. */
  store(setCookie: string | string[], url: string): void {
    this.jar ??= new CookieJar();
    if (typeof setCookie === "string") this.jar.setCookieSync(setCookie, url, { ignoreError: true });
    else for (const c of setCookie) this.jar.setCookieSync(c, url, { ignoreError: true });
  }
}
