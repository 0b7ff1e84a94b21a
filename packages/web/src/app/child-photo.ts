/**
 * A child's photo made small in this browser before it is sealed into the profile (docs/protocol.md
 * §15.1): cropped to a square, scaled down, and encoded as WebP (JPEG where the browser cannot write
 * WebP) at lower quality and size until it fits MAX_CHILD_PHOTO_BYTES. The original never leaves
 * the page; what is sealed is a small avatar, re-encoded (so no camera metadata such as GPS rides along).
 */
import { childPhotoBytes, MAX_CHILD_PHOTO_BYTES, toBase64url, type ChildPhoto, type ChildPhotoType } from '@burrow/protocol';

/** Square edge lengths tried, largest first; the avatar shows at 3rem, so 192 px is sharp on 2× screens. */
const EDGES = [192, 160, 128, 96, 64];
const QUALITIES = [0.82, 0.7, 0.55, 0.4];

export class PhotoError extends Error {
  constructor(readonly reason: 'notAnImage' | 'photoTooLarge') {
    super(reason);
  }
}

function encode(canvas: HTMLCanvasElement, type: ChildPhotoType, quality: number): Promise<Blob | null> {
  return new Promise((resolve) => canvas.toBlob(resolve, type, quality));
}

/** A small JPEG or WebP of `file`'s centre square; PhotoError when it is not an image or will not fit. */
export async function shrinkPhoto(file: Blob): Promise<ChildPhoto> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new PhotoError('notAnImage');
  }
  try {
    const side = Math.min(bitmap.width, bitmap.height);
    if (side < 1) throw new PhotoError('notAnImage');
    const canvas = document.createElement('canvas');
    const context = canvas.getContext('2d');
    if (!context) throw new PhotoError('notAnImage');
    for (const edge of EDGES) {
      const size = Math.min(edge, side);
      canvas.width = size;
      canvas.height = size;
      context.imageSmoothingQuality = 'high';
      context.drawImage(bitmap, (bitmap.width - side) / 2, (bitmap.height - side) / 2, side, side, 0, 0, size, size);
      for (const quality of QUALITIES) {
        for (const type of ['image/webp', 'image/jpeg'] as const) {
          const blob = await encode(canvas, type, quality);
          // A browser that cannot write WebP hands back PNG: then JPEG is tried.
          if (blob?.type !== type || blob.size > MAX_CHILD_PHOTO_BYTES) continue;
          const photo: ChildPhoto = { type, data: toBase64url(new Uint8Array(await blob.arrayBuffer())) };
          if (childPhotoBytes(photo)) return photo;
        }
      }
    }
    throw new PhotoError('photoTooLarge');
  } finally {
    bitmap.close();
  }
}

/** The photo as an address an <img> can show (the CSP allows data: images). */
export function photoSource(photo: ChildPhoto): string {
  const base64 = photo.data.replace(/-/g, '+').replace(/_/g, '/');
  return `data:${photo.type};base64,${base64}${'='.repeat((4 - (base64.length % 4)) % 4)}`;
}
