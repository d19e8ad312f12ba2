using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using OffGrid.Agents;
using OffGrid.AspNetCore.Models;
using OffGrid.Hub.References;

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
        Services.AddOptions<AgentOptions>().Configure<IOptions<OffGrid.Hub.HubOptions>>((agents, hub) => agents.HomeDirectory = hub.Value.HomeDirectory);
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
}
