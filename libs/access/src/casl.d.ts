// @casl/ability 7 publishes its types only through package.json "exports", which the
// repository's `moduleResolution: node` does not read; point TypeScript at them here.
declare module '@casl/ability' {
  export * from '@casl/ability/dist/types/index';
}
declare module '@casl/ability/extra' {
  export * from '@casl/ability/dist/types/extra/index';
}
