// Runs before every test file. Nothing here yet beyond making unhandled rejections loud.
process.on("unhandledRejection", (reason) => {
  throw reason;
});
