export default function Loading() {
  return (
    <div className="muted pad" aria-busy="true">
      Loading…
    </div>
  );
}
