/**
 * Which recorded requests are static assets (images, fonts, stylesheets, scripts, media): a
 * browser fetches them from caches and CDNs, and a load test of the application leaves them out.
 * Judged by the browser's resource type when the recording has one, else by the response's MIME
 * type, else by the path's extension.
 */

/** Chromium's `_resourceType`: what the page asked for. Only these are the application's own traffic. */
const APPLICATION_RESOURCE_TYPES = new Set(["document", "xhr", "fetch"]);

const STATIC_MIME = [
  /^image\//,
  /^font\//,
  /^audio\//,
  /^video\//,
  /^text\/css\b/,
  /^(text|application)\/(x-)?(java|ecma)script\b/,
  /^application\/wasm\b/,
  /^application\/(x-)?font-/,
  /^application\/vnd\.ms-fontobject\b/,
  /^application\/manifest\+json\b/,
];

const STATIC_EXTENSIONS = new Set(
  [
    "png jpg jpeg gif webp avif bmp ico svg tif tiff",
    "woff woff2 ttf otf eot",
    "css js mjs map wasm",
    "mp4 webm ogg ogv mp3 wav m4a aac flac mov",
  ].flatMap((group) => group.split(" ")),
);

/** The extension of a URL's path, lower case ("" when none). */
export function extensionOf(url: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url.split(/[?#]/)[0] ?? "";
  }
  const last = path.slice(path.lastIndexOf("/") + 1);
  const dot = last.lastIndexOf(".");
  return dot > 0 ? last.slice(dot + 1).toLowerCase() : "";
}

export const isStaticMimeType = (mimeType: string): boolean => STATIC_MIME.some((re) => re.test(mimeType.trim().toLowerCase()));

/** Whether a recorded request is a static asset: by resource type when known, else by MIME type or extension. */
export function isStaticAsset(request: { url: string; mimeType?: string | undefined; resourceType?: string | undefined }): boolean {
  if (request.resourceType) return !APPLICATION_RESOURCE_TYPES.has(request.resourceType.toLowerCase());
  if (request.mimeType && isStaticMimeType(request.mimeType)) return true;
  return STATIC_EXTENSIONS.has(extensionOf(request.url));
}
