/**
 * Reads a toy's pairing QR code: from the camera (getUserMedia, frames decoded with jsQR) or from a
 * photo. Loaded lazily by the Toys page (this chunk carries the decoder), so the app's main bundle
 * stays small. BarcodeDetector would be lighter but Chromium on Linux does not have it.
 */
import jsQR from 'jsqr';
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

/** The pairing code in a scanned text: a bare code, or a link to the app's `/toys#pair=CODE`. */
export function codeFromQr(text: string): string | null {
  const fromLink = /#pair=([0-9A-Za-z-]{18,30})$/.exec(text.trim());
  const code = fromLink?.[1] ?? text.trim();
  return /^[0-9A-Za-z]{6}-?[0-9A-Za-z]{4}-?[0-9A-Za-z]{4}-?[0-9A-Za-z]{4}$/.test(code)
    ? code.toUpperCase()
    : null;
}

function decode(
  source: CanvasImageSource,
  width: number,
  height: number,
  canvas: HTMLCanvasElement,
): string | null {
  // Large photos are scaled down: jsQR's time grows with the pixel count.
  const scale = Math.min(1, 1024 / Math.max(width, height));
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) return null;
  ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
  const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
  return jsQR(image.data, image.width, image.height, { inversionAttempts: 'attemptBoth' })?.data ?? null;
}

export default function QrScanner({
  onCode,
  onClose,
}: {
  onCode: (code: string) => void;
  onClose: () => void;
}) {
  const video = useRef<HTMLVideoElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const { t } = useTranslation();
  const [status, setStatus] = useState(() => t('qr.starting'));
  const [cameraFailed, setCameraFailed] = useState(false);
  const ids = { photo: useId(), status: useId() };

  useEffect(() => {
    let stream: MediaStream | undefined;
    let frame = 0;
    let stopped = false;
    const scan = () => {
      if (stopped) return;
      const v = video.current;
      const c = canvas.current;
      if (v && c && v.readyState >= 2 && v.videoWidth > 0) {
        const text = decode(v, v.videoWidth, v.videoHeight, c);
        const code = text === null ? null : codeFromQr(text);
        if (code) {
          stopped = true;
          onCode(code);
          return;
        }
        if (text !== null) setStatus(t('qr.notPairing'));
      }
      frame = requestAnimationFrame(scan);
    };
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: 'environment' }, audio: false })
      .then(async (s) => {
        stream = s;
        if (stopped || !video.current) return;
        video.current.srcObject = s;
        await video.current.play();
        setStatus(t('qr.point'));
        frame = requestAnimationFrame(scan);
      })
      .catch(() => {
        setCameraFailed(true);
        setStatus(t('qr.noCamera'));
      });
    return () => {
      stopped = true;
      cancelAnimationFrame(frame);
      for (const track of stream?.getTracks() ?? []) track.stop();
    };
  }, [onCode]);

  const fromPhoto = async (file: File | undefined) => {
    if (!file || !canvas.current) return;
    setStatus(t('qr.reading'));
    try {
      const bitmap = await createImageBitmap(file);
      const text = decode(bitmap, bitmap.width, bitmap.height, canvas.current);
      bitmap.close();
      const code = text === null ? null : codeFromQr(text);
      if (code) onCode(code);
      else setStatus(t('qr.notInPhoto'));
    } catch {
      setStatus(t('qr.notAPicture'));
    }
  };

  return (
    <div className="qr-scanner">
      {cameraFailed ? null : (
        <video ref={video} className="qr-video" muted playsInline aria-label={t('qr.cameraView')} />
      )}
      <canvas ref={canvas} hidden />
      <p id={ids.status} role="status" className="hint">
        {status}
      </p>
      <label htmlFor={ids.photo}>{t('qr.photo')}</label>
      <input
        id={ids.photo}
        type="file"
        accept="image/*"
        capture="environment"
        aria-describedby={ids.status}
        onChange={(e) => void fromPhoto(e.target.files?.[0])}
      />
      <button type="button" className="ghost" onClick={onClose}>
        {t('qr.stop')}
      </button>
    </div>
  );
}
