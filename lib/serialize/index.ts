// Saving and loading state dicts (safetensors).
export { save, load, serialize, deserialize } from './save.ts';
export { encodeSafetensors, decodeSafetensors, SafetensorsError, type StTensor, type StDType } from './safetensors.ts';
