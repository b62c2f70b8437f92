export default function Home() {
  return <main>Board</main>;
}
