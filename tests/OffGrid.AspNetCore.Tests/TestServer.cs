using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using OffGrid.Inference.Runtime;
using OffGrid.Testing;

namespace OffGrid.AspNetCore.Tests;

/// <summary>
/// An app of the test's own, as a user would write one: Kestrel on a free loopback port, <c>AddOffGridServer</c> with
/// stories260K as <c>stories</c>, and whichever <c>Map*</c> calls the test makes.
/// </summary>
internal sealed class TestServer : IAsyncDisposable
{
    private readonly string _home;

    private TestServer(WebApplication app, string home)
    {
        App = app;
        _home = home;
        BaseUri = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        Http = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromMinutes(2) };
    }

    public WebApplication App { get; }

    /// <summary>The server's OFFGRID_HOME.</summary>
    public string Home => _home;

    public Uri BaseUri { get; }

    public HttpClient Http { get; }

    /// <summary>Builds, maps and starts the app.</summary>
    /// <param name="configure">Adds the test's middleware to the model pipelines.</param>
    /// <param name="map">Maps the endpoints under test.</param>
    /// <param name="args">The app's command line (configuration switches).</param>
    public static Task<TestServer> StartAsync(Action<OffGridServerBuilder> configure, Action<WebApplication> map, params string[] args) =>
        StartAsync(configure, map, null, args);

    /// <summary>Builds, maps and starts the app.</summary>
    /// <param name="configure">Adds the test's middleware to the model pipelines.</param>
    /// <param name="map">Maps the endpoints under test.</param>
    /// <param name="options">Changes the server options after the defaults.</param>
    /// <param name="args">The app's command line (configuration switches).</param>
    public static async Task<TestServer> StartAsync(Action<OffGridServerBuilder> configure, Action<WebApplication> map, Action<OffGridServerOptions>? options, params string[] args)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        string home = TestPaths.NewTempDir("offgrid-aspnetcore-home");
        builder.Services.AddOffGridHub(hub => hub.HomeDirectory = home);
        OffGridServerBuilder server = builder.Services.AddOffGridServer(serverOptions =>
        {
            serverOptions.Models["stories"] = TestPaths.Stories260K;
            serverOptions.Pool.Runtime = new LlamaRuntimeOptions { InstallDirectory = Path.Combine(TestPaths.CacheDir, "runtime"), Variant = LlamaRuntimeVariant.Cpu };
            serverOptions.Pool.Engine.ParallelSequences = 2;
            serverOptions.Pool.Engine.ContextSize = 512;
            serverOptions.Pool.Engine.Threads = 1;
            options?.Invoke(serverOptions);
        });
        configure(server);
        WebApplication app = builder.Build();
        map(app);
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new TestServer(app, home);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        if (Directory.Exists(_home))
        {
            Directory.Delete(_home, recursive: true);
        }
    }
}
