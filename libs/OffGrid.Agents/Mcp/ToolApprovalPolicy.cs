using System.Text.Json;
using System.Text.Json.Serialization;

namespace OffGrid.Agents.Mcp;

/// <summary>
/// Which of a server's tools need a person's approval before each call: <c>true</c> (all), <c>false</c> (none) or a list of
/// tool names in <c>mcp.json</c>'s <c>requireApproval</c>. Without one, a tool needs approval when the server marks it
/// destructive (MCP's <c>destructiveHint</c> on a tool that is not read-only).
/// </summary>
[JsonConverter(typeof(ToolApprovalPolicyConverter))]
public sealed class ToolApprovalPolicy
{
    private ToolApprovalPolicy(bool all, IReadOnlyList<string> tools)
    {
        All = all;
        Tools = tools;
    }

    /// <summary>Gets the policy that asks before every call.</summary>
    public static ToolApprovalPolicy Always { get; } = new(true, []);

    /// <summary>Gets the policy that never asks.</summary>
    public static ToolApprovalPolicy Never { get; } = new(false, []);

    /// <summary>Gets whether every tool needs approval.</summary>
    public bool All { get; }

    /// <summary>Gets the tools that need approval when <see cref="All"/> is <see langword="false"/>.</summary>
    public IReadOnlyList<string> Tools { get; }

    /// <summary>Creates a policy that asks before calls of the named tools only.</summary>
    /// <param name="tools">The tool names.</param>
    /// <returns>The policy.</returns>
    public static ToolApprovalPolicy For(IEnumerable<string> tools)
    {
        ArgumentNullException.ThrowIfNull(tools);
        return new ToolApprovalPolicy(false, [.. tools]);
    }

    /// <summary>Gets whether a call of <paramref name="toolName"/> needs approval under this policy.</summary>
    /// <param name="toolName">The tool's name.</param>
    /// <returns><see langword="true"/> when a person must approve each call.</returns>
    public bool Requires(string toolName) => All || Tools.Contains(toolName, StringComparer.Ordinal);

    private sealed class ToolApprovalPolicyConverter : JsonConverter<ToolApprovalPolicy>
    {
        public override ToolApprovalPolicy Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.True => Always,
            JsonTokenType.False => Never,
            JsonTokenType.StartArray => For(JsonSerializer.Deserialize<List<string>>(ref reader, options)!.Where(n => !string.IsNullOrWhiteSpace(n))),
            _ => throw new JsonException("'requireApproval' must be true, false or a list of tool names."),
        };

        public override void Write(Utf8JsonWriter writer, ToolApprovalPolicy value, JsonSerializerOptions options)
        {
            if (value.All || value.Tools.Count == 0)
            {
                writer.WriteBooleanValue(value.All);
                return;
            }

            JsonSerializer.Serialize(writer, value.Tools, options);
        }
    }
}
