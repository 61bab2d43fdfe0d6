/** A drop zone for files dragged from the desktop: whether something is dragged over it, and its handlers. */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';

type DragHandler = (event: JSX.TargetedDragEvent<HTMLDivElement>) => void;

export function useDropTarget(onFiles: (files: File[]) => void): {
  dragging: boolean;
  handlers: { onDragOver: DragHandler; onDragLeave: DragHandler; onDrop: DragHandler };
} {
  const [dragging, setDragging] = useState(false);
  return {
    dragging,
    handlers: {
      onDragOver: (event) => {
        event.preventDefault();
        setDragging(true);
      },
      onDragLeave: () => setDragging(false),
      onDrop: (event) => {
        event.preventDefault();
        setDragging(false);
        onFiles([...(event.dataTransfer?.files ?? [])]);
      },
    },
  };
}
