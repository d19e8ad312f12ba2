// MEAI001: the speech abstractions are experimental in Microsoft.Extensions.AI 10.11.0.
#pragma warning disable MEAI001

using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using OffGrid.Agents;
using OffGrid.AspNetCore.Governance;
using OffGrid.AspNetCore.Http;
using OffGrid.AspNetCore.Knowledge;
using OffGrid.AspNetCore.Models;
using OffGrid.Governance;
using OffGrid.Governance.Audit;
using OffGrid.Governance.Quotas;
using OffGrid.Hub;
using OffGrid.Hub.References;
using OffGrid.Inference.Engine;
using OffGrid.Rag.Chat;
using OffGrid.Rag.Collections;
using OffGrid.Rag.Federation;

namespace OffGrid.AspNetCore;

/// <summary>
/// Returned by <c>AddOffGridServer</c>: configures the <see cref="IChatClient"/> and embedding pipelines that every
/// served model's requests go through, so that middleware an app adds (<c>UseFunctionInvocation</c>,
/// <c>UseOpenTelemetry</c>, <c>UseRag</c>, quotas, audit…) sees HTTP traffic as it sees in-process calls.
/// </summary>
/// <remarks>Use while building the service collection; not thread-safe, like all service registration.</remarks>
public sealed class OffGridServerBuilder
{
    internal OffGridServerBuilder(IServiceCollection services)
    {
        Services = services;
    }

    /// <summary>Gets the service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Adds middleware to every served model's chat pipeline. The pool's client is at the bottom; each call adds its
    /// middleware above the previous one's. The pipeline is built once per model name, on its first request.
    /// </summary>
    /// <param name="configure">Adds middleware for a model, for example <c>(pipeline, model) =&gt; pipeline.UseFunctionInvocation()</c>.</param>
    /// <returns>The same builder.</returns>
    public OffGridServerBuilder ConfigureChatClients(Action<ChatClientBuilder, LocalModel> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure<ModelPipelineOptions>(o => o.ChatClient.Add(configure));
        return this;
    }

    /// <summary>
    /// Turns on OffGrid governance: the users, keys, quotas and audit services (<c>AddOffGridGovernance</c>, options
    /// validated at start), API-key authentication with the <c>OffGrid.User</c>, <c>OffGrid.Admin</c> and
    /// <c>OffGrid.Auditor</c> policies (401, 403 and lockout 429 answered in each API's error shape), and
    /// <c>UseAudit</c> then <c>UseQuotas</c> on every model's chat and embedding pipelines and <c>UseQuotas</c> on the speech pipelines,
    /// so each call is audited and counted against the model permissions and quotas of the user whose key the request carried. The app then calls <c>UseOffGridGovernance</c> before its
    /// endpoints, declares access on each group (<c>RequireOffGridApiKey</c>, <c>AllowPublic</c>) and may map
    /// <c>MapOffGridGovernance</c>.
    /// </summary>
    /// <param name="configure">Sets the options: mode (single-user on loopback, or multi-user with keys), storage folder, audit, lockout, LDAP.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>
    /// Call once, before the app's own <see cref="ConfigureChatClients"/> middleware, so that quotas admit a call before
    /// function invocation or RAG spend tokens on it.
    /// </remarks>
    public OffGridServerBuilder WithGovernance(Action<GovernanceOptions>? configure = null)
    {
        Services.AddOffGridGovernance(configure);
        Services.AddOffGridApiKeyAuthentication(http => http.WriteError = ApiErrorFilter.WriteAsync);
        Services.TryAddSingleton<ModelVisibility>();
        Services.TryAddSingleton<CollectionAccess>();

        // Audit outside quotas, so that refused calls are recorded too.
        ConfigureEmbeddingGenerators((pipeline, _) => pipeline.UseAudit().UseQuotas());
        ConfigureSpeechToTextClients(pipeline => pipeline.UseQuotas());
        ConfigureTextToSpeechClients(pipeline => pipeline.UseQuotas());
        return ConfigureChatClients((pipeline, _) => pipeline.UseAudit().UseQuotas());
    }

    /// <summary>Adds middleware to every served model's embedding pipeline (built once per model name, on first use).</summary>
    /// <param name="configure">Adds middleware for a model, for example <c>(pipeline, model) =&gt; pipeline.UseOpenTelemetry()</c>.</param>
    /// <returns>The same builder.</returns>
    public OffGridServerBuilder ConfigureEmbeddingGenerators(Action<EmbeddingGeneratorBuilder<string, Embedding<float>>, LocalModel> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure<ModelPipelineOptions>(o => o.EmbeddingGenerator.Add(configure));
        return this;
    }

    /// <summary>
    /// Adds middleware to the speech-to-text pipeline of <c>/v1/audio/transcriptions</c> and <c>/v1/audio/translations</c>
    /// (OffGrid.Speech's <see cref="ISpeechToTextClient"/> at the bottom; built once, on first use).
    /// </summary>
    /// <param name="configure">Adds middleware, for example <c>pipeline =&gt; pipeline.UseOpenTelemetry()</c>.</param>
    /// <returns>The same builder.</returns>
    [System.Diagnostics.CodeAnalysis.Experimental("MEAI001")]
    public OffGridServerBuilder ConfigureSpeechToTextClients(Action<SpeechToTextClientBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure<ModelPipelineOptions>(o => o.SpeechToTextClient.Add(configure));
        return this;
    }

    /// <summary>
    /// Adds middleware to the text-to-speech pipeline of <c>/v1/audio/speech</c> (OffGrid.Speech's
    /// <see cref="ITextToSpeechClient"/> at the bottom; built once, on first use).
    /// </summary>
    /// <param name="configure">Adds middleware, for example <c>pipeline =&gt; pipeline.UseOpenTelemetry()</c>.</param>
    /// <returns>The same builder.</returns>
    [System.Diagnostics.CodeAnalysis.Experimental("MEAI001")]
    public OffGridServerBuilder ConfigureTextToSpeechClients(Action<TextToSpeechClientBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure<ModelPipelineOptions>(o => o.TextToSpeechClient.Add(configure));
        return this;
    }

    /// <summary>
    /// Lets requests use the server's tools: MCP servers from <c>mcp.json</c>, plugins and custom tools (OffGrid.Agents'
    /// <see cref="Toolbox"/>), named in a chat request's <c>server_tools</c> and run by Microsoft.Extensions.AI's function
    /// invocation, which this adds to every model's pipeline (<c>UseToolInvocation</c>, at most
    /// <see cref="AgentOptions.MaxToolRounds"/> rounds of calls per request). Calls of functions the client declared still
    /// go back to the client. Also backs <c>MapOffGridTools</c> and <c>MapOffGridToolAdministration</c>.
    /// </summary>
    /// <param name="configure">Sets the tool options (paths, timeouts, allowed programs); validated at start.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>The tool files live in the Hub's home folder (<see cref="OffGrid.Hub.HubOptions.HomeDirectory"/>) unless configured otherwise.</remarks>
    public OffGridServerBuilder AddTools(Action<AgentOptions>? configure = null)
    {
        // Registered before the caller's settings, which run after it and win.
        Services.AddOptions<AgentOptions>().Configure<IOptions<OffGrid.Hub.HubOptions>>((agents, hub) =>
        {
            agents.HomeDirectory = hub.Value.HomeDirectory;
            agents.DescribeFailure = ex => ex is ContextWindowExceededException context
                ? $"{context.Message} Raise the server's context size (Server:Pool:Engine:ContextSize), or lower rounds or max_tokens: a debate's prompt holds the whole debate so far."
                : null;
        });
        Services.AddOffGridAgents(configure);
        return ConfigureChatClients((pipeline, _) => pipeline.Use((inner, services) =>
        {
            int rounds = services.GetRequiredService<IOptions<AgentOptions>>().Value.MaxToolRounds;
            return new ChatClientBuilder(inner).UseToolInvocation(invocation => invocation.MaximumIterationsPerRequest = rounds).Build(services);
        }));
    }

    /// <summary>
    /// Adds a Model Context Protocol server that offers OffGrid's tools (<c>chat</c>, <c>embed</c>, <c>list_models</c>,
    /// <c>show_model</c>). Add its transport to the result: <c>WithHttpTransport()</c> for <c>MapOffGridMcp</c>, or
    /// <c>WithStdioServerTransport()</c> for a server on standard input and output.
    /// </summary>
    /// <returns>The MCP server builder, for a transport and more tools.</returns>
    public IMcpServerBuilder AddMcpServer() =>
        Services.AddMcpServer(options => options.ServerInfo = new Implementation { Name = "offgrid", Version = typeof(OffGridServerBuilder).Assembly.GetName().Version?.ToString(3) ?? "0.0.0" })
            .WithOffGridTools();

    /// <summary>
    /// Adds knowledge bases: <see cref="KnowledgeCollections"/> in <c>Server:Knowledge:Directory</c> (by default
    /// <c>knowledge</c> under the Hub's home), each collection's embedding model resolved like any request's model and run
    /// through its embedding pipeline, and <c>UseRag</c> in every chat pipeline, so that a chat request's <c>knowledge</c>
    /// field retrieves sources within a budget counted with that model's tokenizer. Map the API with
    /// <c>MapOffGridKnowledge</c>. Calling it again changes nothing.
    /// </summary>
    /// <returns>The same builder.</returns>
    public OffGridServerBuilder AddKnowledge()
    {
        if (Services.Any(d => d.ServiceType == typeof(KnowledgeCollections)))
        {
            return this;
        }

        Services.TryAddSingleton<ModelTokenizers>();
        Services.TryAddSingleton<ServerEmbeddingModels>();
        Services.AddSingleton(provider =>
        {
            OffGridKnowledgeOptions knowledge = provider.GetRequiredService<IOptions<OffGridServerOptions>>().Value.Knowledge;
            string home = provider.GetRequiredService<IOptions<HubOptions>>().Value.HomeDirectory;
            var options = new KnowledgeCollectionsOptions
            {
                Directory = knowledge.Directory ?? Path.Combine(home, "knowledge"),
                Rag = new Rag.RagOptions
                {
                    VectorSearch = knowledge.VectorSearch,
                    MaxDocumentBytes = knowledge.MaxDocumentBytes,
                    UrlFetchTimeout = knowledge.UrlFetchTimeout,
                    MaxRedirects = knowledge.MaxRedirects,
                    AllowPrivateNetworkUrls = knowledge.AllowPrivateNetworkUrls,
                },
            };
            return new KnowledgeCollections(options, provider.GetRequiredService<ServerEmbeddingModels>(), provider.GetService<ILoggerFactory>());
        });
        Services.AddSingleton(provider => new FederatedKnowledgeSearch(
            provider.GetRequiredService<KnowledgeCollections>(),
            httpClient: null,
            new FederationOptions { Deadline = provider.GetRequiredService<IOptions<OffGridServerOptions>>().Value.Knowledge.FederationDeadline }));
        Services.AddSingleton<IKnowledgeSearch>(provider => provider.GetService<CollectionAccess>() is { } access
            ? new GovernedKnowledgeSearch(provider.GetRequiredService<FederatedKnowledgeSearch>(), access)
            : provider.GetRequiredService<FederatedKnowledgeSearch>());
        return ConfigureChatClients((pipeline, model) => pipeline.Use((inner, services) =>
        {
            OffGridServerOptions server = services.GetRequiredService<IOptions<OffGridServerOptions>>().Value;
            int context = server.Pool.Engine.ContextSize ?? 4096;
            return new RagChatClient(inner, services.GetRequiredService<IKnowledgeSearch>(), new RagChatOptions
            {
                Search = new Rag.Search.SearchOptions { Top = server.Knowledge.TopK },
                MaxContextTokens = Math.Min(server.Knowledge.MaxContextTokens, Math.Max(16, context / 2)),
                TokenCounter = services.GetRequiredService<ModelTokenizers>().For(model.Path),
                RequireCitations = server.Knowledge.RequireCitations,
            });
        }));
    }
}
