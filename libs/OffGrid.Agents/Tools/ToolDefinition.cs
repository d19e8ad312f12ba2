using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using OffGrid.Agents.Mcp;

namespace OffGrid.Agents.Tools;

/// <summary>
/// A custom tool, as stored in <c>$OFFGRID_HOME/tools/&lt;name&gt;.json</c> or sent to <c>POST /v1/tools</c>: a name, a
/// description for the model, its parameters (a JSON Schema object; <c>"format": "path"</c> marks a path confined to the
/// working folder), whether each call needs a person's approval, and either <see cref="Shell"/> or <see cref="Http"/>.
/// </summary>
public sealed partial class ToolDefinition
{
    private static readonly string[] s_launchers = ["sh", "bash", "dash", "zsh", "ksh", "fish", "csh", "tcsh", "busybox", "env", "xargs", "sudo", "su", "nohup", "timeout", "nice", "exec", "eval"];

    /// <summary>Gets or sets the tool's name: 1 to 64 letters, digits, '_' or '-'.</summary>
    public string? Name { get; set; }

    /// <summary>Gets or sets what the tool does, for the model.</summary>
    public string? Description { get; set; }

    /// <summary>Gets or sets the parameters: a JSON Schema object; the properties are the arguments.</summary>
    public JsonElement? Parameters { get; set; }

    /// <summary>Gets or sets whether a person must approve each call.</summary>
    public bool RequireApproval { get; set; }

    /// <summary>Gets or sets the program a shell tool runs.</summary>
    public ShellToolSpec? Shell { get; set; }

    /// <summary>Gets or sets the request an HTTP tool sends.</summary>
    public HttpToolSpec? Http { get; set; }

    /// <summary>Gets whether this is a shell or an HTTP tool.</summary>
    [JsonIgnore]
    public ToolSetKind Kind => Shell is not null ? ToolSetKind.Shell : ToolSetKind.Http;

    internal static JsonSerializerOptions JsonOptions => McpConfigFile.JsonOptions;

    /// <summary>Reads and checks a definition.</summary>
    /// <param name="json">The definition's JSON.</param>
    /// <returns>The valid definition.</returns>
    /// <exception cref="ToolDefinitionException">The JSON is malformed or the definition is invalid; the message names the field.</exception>
    public static ToolDefinition Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        ToolDefinition definition;
        try
        {
            definition = JsonSerializer.Deserialize<ToolDefinition>(json, JsonOptions) ?? throw new JsonException("The definition is null.");
        }
        catch (JsonException ex)
        {
            throw new ToolDefinitionException($"The tool definition is not valid JSON in the expected shape: {ex.Message}", ex.Path, ex);
        }

        definition.Validate();
        return definition;
    }

    /// <summary>Writes the definition as indented JSON.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Checks the definition without running anything.</summary>
    /// <exception cref="ToolDefinitionException">The definition is invalid; the message names the field.</exception>
    public void Validate()
    {
        if (Name is null || !ToolName().IsMatch(Name))
        {
            throw new ToolDefinitionException("A tool's 'name' must be 1 to 64 letters, digits, '_' or '-'.", "name");
        }

        if ((Shell is null) == (Http is null))
        {
            throw new ToolDefinitionException($"Tool '{Name}' must have exactly one of 'shell' and 'http'.", Shell is null ? "shell" : "http");
        }

        ToolParameters parameters = ToolParameters.Parse(Parameters);
        if (Shell is not null)
        {
            ValidateShell(Shell, parameters);
        }
        else
        {
            ValidateHttp(Http!, parameters);
        }
    }

    internal ToolParameters ReadParameters() => ToolParameters.Parse(Parameters);

    private void ValidateShell(ShellToolSpec shell, ToolParameters parameters)
    {
        if (shell.Command is not { Count: > 0 } command || string.IsNullOrWhiteSpace(command[0]))
        {
            throw new ToolDefinitionException($"Tool '{Name}': 'shell.command' must start with the program to run.", "shell.command");
        }

        if (ArgumentTemplate.Parse(command[0], "shell.command[0]").Placeholders.Any())
        {
            throw new ToolDefinitionException($"Tool '{Name}': the program ('shell.command[0]') cannot be a placeholder.", "shell.command[0]");
        }

        if (s_launchers.Contains(Path.GetFileName(command[0]), StringComparer.Ordinal))
        {
            throw new ToolDefinitionException(
                $"Tool '{Name}' runs '{command[0]}', a shell or launcher that would run a command from its arguments; run the program itself.", "shell.command[0]");
        }

        for (int i = 1; i < command.Count; i++)
        {
            ArgumentTemplate template = ArgumentTemplate.Parse(command[i] ?? string.Empty, $"shell.command[{i}]");
            parameters.CheckPlaceholders(template, $"shell.command[{i}]");
            foreach (string name in template.Placeholders.Where(n => !parameters.Scalars.Contains(n)))
            {
                throw new ToolDefinitionException($"Tool '{Name}': argument '{name}' in 'shell.command' must be declared with type string, number, integer or boolean.", $"parameters.properties.{name}");
            }
        }

        if (shell.WorkingDirectory is { } folder && !Path.IsPathFullyQualified(folder))
        {
            throw new ToolDefinitionException($"Tool '{Name}': 'shell.workingDirectory' must be an absolute path.", "shell.workingDirectory");
        }

        CheckPositive(shell.TimeoutSeconds, "shell.timeoutSeconds");
        CheckPositive(shell.MaxOutputBytes, "shell.maxOutputBytes");
        foreach (string variable in shell.Env.Keys.Where(k => k.Length == 0 || k.Contains('=', StringComparison.Ordinal) || k.Contains('\0', StringComparison.Ordinal)))
        {
            throw new ToolDefinitionException($"Tool '{Name}': '{variable}' is not a valid environment variable name.", "shell.env");
        }
    }

    private void ValidateHttp(HttpToolSpec http, ToolParameters parameters)
    {
        if (http.Method.ToUpperInvariant() is not ("GET" or "POST" or "PUT" or "PATCH" or "DELETE" or "HEAD"))
        {
            throw new ToolDefinitionException($"Tool '{Name}': 'http.method' must be GET, POST, PUT, PATCH, DELETE or HEAD.", "http.method");
        }

        if (string.IsNullOrWhiteSpace(http.Url))
        {
            throw new ToolDefinitionException($"Tool '{Name}' needs 'http.url'.", "http.url");
        }

        ArgumentTemplate url = ArgumentTemplate.Parse(http.Url, "http.url");
        parameters.CheckPlaceholders(url, "http.url");
        if (!Uri.TryCreate(url.Render(_ => "x"), UriKind.Absolute, out Uri? sample) || sample.Scheme is not ("http" or "https"))
        {
            throw new ToolDefinitionException($"Tool '{Name}': 'http.url' must be an absolute http or https URL.", "http.url");
        }

        if (HttpTool.AuthorityHasPlaceholder(http.Url) && http.AllowedHosts.Count == 0)
        {
            throw new ToolDefinitionException($"Tool '{Name}': the URL's host is a placeholder, so 'http.allowedHosts' must list the hosts it may reach.", "http.allowedHosts");
        }

        foreach (string host in http.AllowedHosts.Where(h => string.IsNullOrWhiteSpace(h) || h.Contains('/', StringComparison.Ordinal)))
        {
            throw new ToolDefinitionException($"Tool '{Name}': '{host}' in 'http.allowedHosts' must be a host name, optionally with *. in front or :port after.", "http.allowedHosts");
        }

        foreach ((string header, string value) in http.Headers)
        {
            if (header.Length == 0 || !header.All(c => c > ' ' && c < 127 && c != ':'))
            {
                throw new ToolDefinitionException($"Tool '{Name}': '{header}' is not a valid header name.", "http.headers");
            }

            parameters.CheckPlaceholders(ArgumentTemplate.Parse(value ?? string.Empty, $"http.headers.{header}"), $"http.headers.{header}");
        }

        if (http.Body is { } body)
        {
            if (http.Method.ToUpperInvariant() is "GET" or "HEAD")
            {
                throw new ToolDefinitionException($"Tool '{Name}': a {http.Method.ToUpperInvariant()} request has no 'http.body'.", "http.body");
            }

            foreach (string text in HttpTool.BodyStrings(body))
            {
                parameters.CheckPlaceholders(ArgumentTemplate.Parse(text, "http.body"), "http.body");
            }
        }

        CheckPositive(http.TimeoutSeconds, "http.timeoutSeconds");
        CheckPositive(http.MaxResponseBytes, "http.maxResponseBytes");
        if (http.MaxRedirects is < 0 or > 20)
        {
            throw new ToolDefinitionException($"Tool '{Name}': 'http.maxRedirects' must be 0 to 20.", "http.maxRedirects");
        }
    }

    private void CheckPositive(double? value, string field)
    {
        if (value is <= 0)
        {
            throw new ToolDefinitionException($"Tool '{Name}': '{field}' must be positive.", field);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex ToolName();
}
