/**
 * The pairing code as a QR code, drawn as one SVG path from the `qrcode` package's module matrix (no
 * canvas, no data: URL). It encodes a link to the app's Toys page with the code in the fragment —
 * `https://<server>/toys#pair=CODE` — so the Burrow app's scanner reads it, and a phone's own camera
 * app opens the app with the code filled in. A fragment never reaches the server.
 */
import QRCode from 'qrcode';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';

export function pairingLink(origin: string, code: string): string {
  return `${origin}/toys#pair=${code}`;
}

export function PairingQr({ code }: { code: string }) {
  const { t } = useTranslation();
  const path = useMemo(() => {
    const { modules } = QRCode.create(pairingLink(window.location.origin, code), {
      errorCorrectionLevel: 'M',
    });
    let d = '';
    for (let row = 0; row < modules.size; row++)
      for (let col = 0; col < modules.size; col++)
        if (modules.get(row, col)) d += `M${col + 4} ${row + 4}h1v1h-1z`;
    return { d, size: modules.size + 8 };
  }, [code]);
  return (
    <svg
      className="pairing-qr"
      viewBox={`0 0 ${path.size} ${path.size}`}
      role="img"
      aria-label={t('simulator.qrLabel')}
      shapeRendering="crispEdges"
    >
      <rect width={path.size} height={path.size} fill="#fff" />
      <path d={path.d} fill="#000" />
    </svg>
  );
}
