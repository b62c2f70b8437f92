// Public API of Board: `import { SummaryWriter, tensor, nn, optim, data, transforms, datasets } from 'board'`.
// Each part owns one section below and re-exports only its public surface.

// --- tfevents: format + SummaryWriter ---

// --- engine: Tensor + autograd ---

// --- nn / optim / save-load ---

// --- data / vision ---

export {};
