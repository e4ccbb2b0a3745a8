import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

// Imported for its effect. The cpu backend greets Node users on its first tensor with "install our node backend"
// (tfjs-node): a package whose libtensorflow download cannot install here and that the workbench does not need (the
// native kernels are the answer). The flag is an instance field assigned in the constructor, so an accessor on the
// prototype turns it off for every instance, the native backend (a subclass) included.
Object.defineProperty(MathBackendCPU.prototype, 'firstUse', { get: () => false, set: () => {}, configurable: true });
