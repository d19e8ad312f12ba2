using Microsoft.Extensions.Configuration;
using OffGrid.Agents;
using OffGrid.Agents.Runs;
using OffGrid.Agents.Templates;
using OffGrid.Inference.Engine;

namespace OffGrid.Cli.Tools;

/// <summary>
/// The tool settings and toolbox a command needs, configured as the server configures them: defaults under
/// <c>OFFGRID_HOME</c>, then <c>OFFGRID_Agents__…</c> environment variables (for example
/// <c>OFFGRID_Agents__Shell__AllowedExecutables__0=grep</c>); the toolbox is created on first use.
/// </summary>
internal sealed class AgentServices : IAsyncDisposable
{
    private readonly Lazy<AgentOptions> _options = new(Read);
    private Toolbox? _toolbox;
    private AgentRuns? _runs;

    /// <summary>The settings in effect.</summary>
    public AgentOptions Options => _options.Value;

    /// <summary>MCP servers, plugins and custom tools; the MCP servers it starts stop when this is disposed.</summary>
    public Toolbox Toolbox => _toolbox ??= new Toolbox(Options);

    /// <summary>The agent templates: built in and <c>$OFFGRID_HOME/agents/*.json</c>.</summary>
    public AgentTemplates Templates => field ??= new AgentTemplates(Options);

    /// <summary>Agent runs, stored in <c>$OFFGRID_HOME/agents.db</c> as the server stores them.</summary>
    public AgentRuns Runs => _runs ??= new AgentRuns(Options, Templates, Toolbox);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_runs is not null)
        {
            await _runs.DisposeAsync().ConfigureAwait(false);
        }

        if (_toolbox is not null)
        {
            await _toolbox.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static AgentOptions Read()
    {
        var options = new AgentOptions
        {
            DescribeFailure = ex => ex is ContextWindowExceededException context
                ? $"{context.Message} Raise it with --ctx-size, or lower --rounds or --max-tokens: a debate's prompt holds the whole debate so far."
                : null,
        };
        new ConfigurationBuilder().AddEnvironmentVariables("OFFGRID_").Build().GetSection("Agents").Bind(options);
        IReadOnlyList<string> errors = options.Validate();
        return errors.Count == 0 ? options : throw new InvalidOperationException("Invalid tool settings (OFFGRID_Agents__*): " + string.Join(" ", errors));
    }
}
