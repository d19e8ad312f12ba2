using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OffGrid.Governance.AspNetCore;
using OffGrid.Governance.Audit;
using OffGrid.Governance.Quotas;
using OffGrid.Governance.Tests.TestSupport;
using OffGrid.Governance.Users;

namespace OffGrid.Governance.Tests.AspNetCore;

/// <summary>
/// A small real Kestrel app on 127.0.0.1 wired the way an OffGrid host wires governance: a public route, a user route group
/// whose chat endpoint runs UseAudit + UseQuotas over the real llama.cpp engine, an admin group, and one route that declares
/// nothing.
/// </summary>
internal sealed class GovernedApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GovernedApp(WebApplication app, HttpClient client)
    {
        _app = app;
        Client = client;
    }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<GovernedApp> StartAsync(GovernanceHome home, GovernanceMode mode, FakeTimeProvider time, IChatClient? model = null, string url = "http://127.0.0.1:0")
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddOffGridGovernance(o =>
        {
            o.DirectoryPath = home.Directory;
            o.Mode = mode;
        });
        builder.Services.AddOffGridApiKeyAuthentication();
        WebApplication app = builder.Build();
        app.UseOffGridGovernance();

        app.MapGet("/health", () => "ok").AllowPublic();
        RouteGroupBuilder v1 = app.MapGroup("/v1").RequireOffGridRole(UserRole.User);
        v1.MapGet("/whoami", (HttpContext context) => context.User.Identity!.Name!);
        if (model is not null)
        {
            IChatClient pipeline = new ChatClientBuilder(model).UseAudit().UseQuotas().Build(app.Services);
            v1.MapPost("/chat", async (HttpContext context) =>
            {
                string prompt = await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted);
                try
                {
                    ChatResponse response = await pipeline.GetResponseAsync(prompt, new ChatOptions { MaxOutputTokens = 4 }, context.RequestAborted);
                    await context.Response.WriteAsync(response.Text, context.RequestAborted);
                }
                catch (QuotaExceededException ex)
                {
                    context.Response.SetQuotaHeaders(ex);
                    await GovernanceHttpOptions.WriteOpenAiError(context, new GovernanceHttpError(429, "quota_exceeded", ex.Message));
                }
            });
        }

        RouteGroupBuilder admin = app.MapGroup("/v1/admin").RequireOffGridRole(UserRole.Admin);
        admin.MapGet("/audit/verify", async (AuditLog log, CancellationToken ct) => (await log.VerifyAsync(ct)).IsIntact);
        app.MapGet("/undeclared", () => "declares nothing");

        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        return new GovernedApp(app, client);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
