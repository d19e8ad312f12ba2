using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using OffGrid.Hub;
using OffGrid.Inference;
using OffGrid.Server.Http;
using OffGrid.Server.Models;
using OffGrid.Server.Ollama;
using OffGrid.Server.OpenAi;
using OffGrid.Server.Operations;

namespace OffGrid.Server;

/// <summary>
/// Builds the OffGrid server: OpenAI-compatible (<c>/v1</c>) and Ollama-compatible (<c>/api</c>) APIs, health and
/// metrics, and the web UI, over the in-process llama.cpp engine. Used by <c>offgrid-server</c> and <c>offgrid serve</c>.
/// </summary>
public static class OffGridServer
{
    /// <summary>Builds the application; call <c>RunAsync</c> (or <c>StartAsync</c>) on the result.</summary>
    /// <param name="args">Command-line arguments: configuration switches such as <c>--Server:Port 8080</c>.</param>
    /// <param name="configure">Adjusts the options after configuration is bound (appsettings.json, then
    /// <c>OFFGRID_</c> environment variables, then the command line).</param>
    /// <returns>The application, not yet started.</returns>
    public static WebApplication Build(string[] args, Action<ServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddEnvironmentVariables("OFFGRID_");
        builder.Configuration.AddCommandLine(args); // the command line wins over the environment
        AddServices(builder.Services, builder.Configuration, configure);

        WebApplication app = builder.Build();
        app.Use(async (context, next) =>
        {
            await next(context);
            if (context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } route })
            {
                context.RequestServices.GetRequiredService<ServerMetrics>().CountRequest(route, context.Response.StatusCode);
            }
        });
        MapEndpoints(app);
        return app;
    }

    private static void AddServices(IServiceCollection services, IConfiguration configuration, Action<ServerOptions>? configure)
    {
        OptionsBuilder<ServerOptions> server = services.AddOptions<ServerOptions>().Bind(configuration.GetSection(ServerOptions.SectionName));
        if (configure is not null)
        {
            server.Configure(configure);
        }

        server.ValidateOnStart();
        services.AddSingleton<IValidateOptions<ServerOptions>, ServerOptionsValidator>();

        services.AddOffGridHub();
        services.AddOptions<HubOptions>().Bind(configuration.GetSection("Hub"));
        services.AddOffGridInference();
        services.AddOptions<InferenceOptions>().Configure<IOptions<ServerOptions>>((inference, options) => inference.Pool = options.Value.Pool);

        services.AddOptions<KestrelServerOptions>().Configure<IOptions<ServerOptions>>((kestrel, options) =>
        {
            ServerOptions o = options.Value;
            kestrel.Limits.MaxRequestBodySize = o.MaxRequestBodyBytes;
            switch (o.Host)
            {
                case "localhost":
                    kestrel.ListenLocalhost(o.Port);
                    break;
                case "*":
                    kestrel.ListenAnyIP(o.Port);
                    break;
                default:
                    kestrel.Listen(IPAddress.Parse(o.Host), o.Port);
                    break;
            }
        });
        services.AddOptions<HostOptions>().Configure<IOptions<ServerOptions>>((host, options) => host.ShutdownTimeout = options.Value.ShutdownTimeout);

        services.AddSingleton<ModelCatalog>();
        services.AddSingleton<ModelAccess>();
        services.AddSingleton<ServerMetrics>();
        services.AddSingleton<ModelPreloader>();
        services.AddHostedService(sp => sp.GetRequiredService<ModelPreloader>());
    }

    private static void MapEndpoints(WebApplication app)
    {
        RouteGroupBuilder openAi = app.MapGroup("/v1").AddEndpointFilter(new ApiErrorFilter(OpenAiShapes.Error));
        openAi.MapPost("/chat/completions", ChatCompletionEndpoint.HandleAsync);
        openAi.MapPost("/completions", CompletionEndpoint.HandleAsync);
        openAi.MapPost("/embeddings", EmbeddingEndpoint.HandleAsync);
        openAi.MapGet("/models", ModelsEndpoint.ListAsync);
        openAi.MapGet("/models/{**id}", ModelsEndpoint.GetAsync);
        openAi.MapGet("/search", SearchEndpoint.GetAsync);
        openAi.MapPost("/search", SearchEndpoint.PostAsync);
        openAi.MapPost("/benchmark", BenchmarkEndpoint.HandleAsync);

        RouteGroupBuilder ollama = app.MapGroup("/api").AddEndpointFilter(new ApiErrorFilter(OllamaShapes.Error));
        ollama.MapPost("/chat", OllamaGenerationEndpoints.ChatAsync);
        ollama.MapPost("/generate", OllamaGenerationEndpoints.GenerateAsync);
        ollama.MapPost("/embed", OllamaEmbedEndpoints.EmbedAsync);
        ollama.MapPost("/embeddings", OllamaEmbedEndpoints.EmbeddingsAsync);
        ollama.MapGet("/tags", OllamaModelEndpoints.TagsAsync);
        ollama.MapPost("/show", OllamaModelEndpoints.ShowAsync);
        ollama.MapGet("/ps", OllamaModelEndpoints.PsAsync);
        ollama.MapPost("/pull", OllamaModelEndpoints.PullAsync);
        ollama.MapDelete("/delete", OllamaModelEndpoints.DeleteAsync);
        ollama.MapGet("/version", OllamaModelEndpoints.Version);

        app.MapGet("/health", OperationsEndpoints.Health);
        app.MapGet("/metrics", OperationsEndpoints.Metrics);
        app.MapGet("/", WebUi.Page);
    }
}
