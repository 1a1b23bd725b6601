// A codicon, on its own so that small bundles (the Preview Data tab's preview.js) need not pull in the panel's
// store (and with it markdown-it) through widgets.tsx.
export function Codicon({ name, spin = false }: { name: string; spin?: boolean }) {
  return <i class={`codicon codicon-${name}${spin ? ' codicon-modifier-spin' : ''}`} aria-hidden="true" />;
}
