using OffGrid.Server;

await OffGridServer.Build(args).RunAsync();
