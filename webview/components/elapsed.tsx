// Seconds since a start time, ticking once a second (code running in the kernel).
import { useEffect, useState } from 'preact/hooks';
import { format } from '../i18n';
import { store } from '../store';

export function Elapsed({ since, class: cls }: { since: number; class?: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [since]);
  const seconds = Math.max(0, Math.floor((now - since) / 1000));
  return (
    <span class={`elapsed ${cls ?? ''}`} role="timer" aria-live="off">
      {format(store.strings.seconds, seconds)}
    </span>
  );
}
