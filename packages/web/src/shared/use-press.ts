/**
 * Press-and-hold for a button, from a mouse, a finger or the keyboard (Space or Enter held down).
 * Assistive technology that sends a bare click gets a toggle instead: the first click presses, the
 * next one releases, so nothing depends on being able to hold.
 */
import { useRef, type KeyboardEvent, type MouseEvent, type PointerEvent } from 'react';

export interface PressHandlers {
  onPointerDown: (e: PointerEvent<HTMLButtonElement>) => void;
  onPointerUp: () => void;
  onPointerCancel: () => void;
  onKeyDown: (e: KeyboardEvent<HTMLButtonElement>) => void;
  onKeyUp: (e: KeyboardEvent<HTMLButtonElement>) => void;
  onClick: () => void;
  onContextMenu: (e: MouseEvent) => void;
}

const isPressKey = (key: string): boolean => key === ' ' || key === 'Enter';

export function usePress(onDown: () => void, onUp: () => void): PressHandlers {
  const active = useRef(false);
  const handled = useRef(false);
  const down = () => {
    if (active.current) return;
    active.current = true;
    onDown();
  };
  const up = () => {
    if (!active.current) return;
    active.current = false;
    onUp();
  };
  return {
    onPointerDown: (e) => {
      if (e.button !== 0) return;
      e.currentTarget.setPointerCapture(e.pointerId);
      handled.current = true;
      down();
    },
    onPointerUp: up,
    onPointerCancel: up,
    onKeyDown: (e) => {
      if (!isPressKey(e.key)) return;
      e.preventDefault();
      if (e.repeat) return;
      handled.current = true;
      down();
    },
    onKeyUp: (e) => {
      if (!isPressKey(e.key)) return;
      e.preventDefault();
      up();
    },
    onClick: () => {
      if (handled.current) {
        handled.current = false;
        return;
      }
      if (active.current) up();
      else down();
    },
    onContextMenu: (e) => e.preventDefault(),
  };
}
