/**
 * A fake camera for Chromium: a YUV4MPEG2 (.y4m) video of a QR code, made here from the QR module
 * matrix (the `qrcode` package), fed with `--use-file-for-fake-video-capture`. The format is a text
 * header, then per frame "FRAME\n" and the Y, U and V planes (4:2:0): nothing to download.
 */
import { writeFileSync } from 'node:fs';
import QRCode from 'qrcode';

export function qrY4m(path: string, text: string, { width = 640, height = 480, frames = 15 } = {}): string {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const quiet = 4;
  const cells = modules.size + 2 * quiet;
  const scale = Math.floor((Math.min(width, height) * 0.9) / cells);
  const left = Math.floor((width - cells * scale) / 2);
  const top = Math.floor((height - cells * scale) / 2);
  const luma = Buffer.alloc(width * height, 200); // a light grey background around the white code
  for (let y = 0; y < cells * scale; y++) {
    for (let x = 0; x < cells * scale; x++) {
      const row = Math.floor(y / scale) - quiet;
      const col = Math.floor(x / scale) - quiet;
      const dark = row >= 0 && col >= 0 && row < modules.size && col < modules.size && modules.get(row, col);
      luma[(top + y) * width + left + x] = dark ? 16 : 235;
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  writeFileSync(path, Buffer.concat([header, ...Array<Buffer>(frames).fill(frame)]));
  return path;
}
