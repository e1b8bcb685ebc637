// postman-collection ships its types in types/index.d.ts without naming them in its package.json,
// so TypeScript does not find them by the package's name: this brings them in (an ambient module).
/// <reference path="../../../../node_modules/postman-collection/types/index.d.ts" />
