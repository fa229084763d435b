/** ONNX export: our own protobuf writer (no protobuf library shipped) and an onnxruntime-web check. */
export {
  exportOnnx,
  outputNameFor,
  ARCH_METADATA_KEY,
  DEFAULT_OPSET,
  INPUT_NAME,
  MAX_OPSET,
  MIN_OPSET,
  ONNX_IR_VERSION,
  type ExportOptions,
} from './onnx-export.ts';
export { verifyOnnx, runOnnx, nhwcToNchw, type VerifyResult, type OnnxRunResult } from './verify-onnx.ts';
