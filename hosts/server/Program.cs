using OffGrid.AspNetCore.Hosting;

if (ServerUsage.IsRequested(args))
{
    Console.Out.WriteLine(ServerUsage.Text);
    return 0;
}

return await OffGridWebApplication.RunAsync(() => OffGridWebApplication.Create(args), "offgrid-server", Console.Error);
