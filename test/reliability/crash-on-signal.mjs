// Preloaded into a bot child process (node --import) by the crash test: on SIGUSR2 it throws
// from a fresh turn of the event loop, an uncaught exception like any bug would raise.
process.on('SIGUSR2', () => {
  setImmediate(() => {
    throw new Error('boom: injected by the test');
  });
});
