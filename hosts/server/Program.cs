using OffGrid.AspNetCore.Hosting;

return await OffGridWebApplication.RunAsync(() => OffGridWebApplication.Create(args), "offgrid-server", Console.Error);
