using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;
using OffGrid.Governance;

namespace OffGrid.AspNetCore.Hosting;

/// <summary>
/// How the server starts "this program again" as its model worker, and how that program knows it is one. The worker is the
/// same command line (<c>offgrid-server …</c>, or <c>offgrid serve …</c>, under <c>dotnet</c> or as an app host), so that it
/// reads the same appsettings, <c>OFFGRID_</c> variables and switches (served models, folders, pool); two environment
/// variables — not switches, so that the key is not on a command line others can read — make it a worker: it listens on
/// 127.0.0.1 at the given port whatever the configuration says, runs its models in process, answers only requests that
/// carry the key (but <c>/health</c>), and exits when the server's end of its standard input closes (the server died).
/// </summary>
internal static class ModelWorkerRole
{
    private const string PortVariable = "OFFGRID_WORKER_PORT";
    private const string KeyVariable = "OFFGRID_WORKER_KEY";

    /// <summary>How to start this program again as a worker on <paramref name="port"/> that requires <paramref name="key"/>.</summary>
    public static ProcessStartInfo StartInfo(int port, string key)
    {
        string program = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this program is unknown, so it cannot be started again as a model worker.");
        string[] line = Environment.GetCommandLineArgs();
        var start = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                [PortVariable] = port.ToString(CultureInfo.InvariantCulture),
                [KeyVariable] = key,
            },
        };

        // Under the dotnet host the first argument is the app's assembly; an app host is the program itself.
        if (string.Equals(Path.GetFileNameWithoutExtension(program), "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(line[0]);
        }

        foreach (string argument in line.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    /// <summary>Makes the app a worker when this process was started as one.</summary>
    public static void Configure(WebApplicationBuilder builder)
    {
        if (Environment.GetEnvironmentVariable(PortVariable) is not { } portText || Environment.GetEnvironmentVariable(KeyVariable) is not { Length: > 0 })
        {
            return;
        }

        int port = int.Parse(portText, CultureInfo.InvariantCulture);
        builder.Services.PostConfigure<OffGridServerOptions>(options =>
        {
            options.Host = "127.0.0.1";
            options.Port = port;
            options.Isolation = ModelIsolation.InProcess;

            // Its only caller is the server, which resolved every model first: a file it names by path is one it may serve
            // (a client's path the server allows, a knowledge collection's stored path), so the worker takes it as it is.
            options.AllowModelPaths = true;
        });

        // The server in front does authentication, quotas and audit; the worker's only caller is the server, by its key. Its
        // own governance files live apart, so that it never adds its local account or audit entries to the server's.
        builder.Services.AddOptions<GovernanceOptions>().PostConfigure<IOptions<OffGrid.Hub.HubOptions>>((governance, hub) =>
        {
            governance.Mode = GovernanceMode.SingleUser;
            governance.DirectoryPath = Path.Combine(hub.Value.HomeDirectory, "worker", "governance");
        });
        builder.Services.AddHostedService<ParentWatch>();
    }

    /// <summary>Lets only the server, by the worker's key, call a worker (every route but <c>/health</c>).</summary>
    public static void RequireKey(WebApplication app)
    {
        if (Environment.GetEnvironmentVariable(KeyVariable) is not { Length: > 0 } key || Environment.GetEnvironmentVariable(PortVariable) is null)
        {
            return;
        }

        byte[] expected = System.Text.Encoding.UTF8.GetBytes("Bearer " + key);
        app.Use(async (http, next) =>
        {
            byte[] given = System.Text.Encoding.UTF8.GetBytes(http.Request.Headers.Authorization.ToString());
            if (http.Request.Path != "/health" && !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(given, expected))
            {
                http.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }

            await next(http).ConfigureAwait(false);
        });
    }

    /// <summary>Stops the worker when its standard input ends: the server that started it has exited, however it died.</summary>
    private sealed class ParentWatch(IHostApplicationLifetime lifetime) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            // Reading the console blocks a thread whatever the API, so the watch gets a thread of its own.
            await Task.Factory.StartNew(
                static () =>
                {
                    using Stream input = Console.OpenStandardInput();
                    byte[] buffer = new byte[256];
                    while (input.Read(buffer) > 0)
                    {
                        // The server never writes; anything read is ignored.
                    }
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default).WaitAsync(stoppingToken).ConfigureAwait(false);
            lifetime.StopApplication();
        }
    }
}
