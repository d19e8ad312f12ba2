using System.Text.Json;
using System.Text.Json.Serialization;

namespace OffGrid.Agents.Templates;

/// <summary>
/// The agent templates: four built in (researcher, coder, analyst, creative) and the user's own, one
/// <c>&lt;name&gt;.json</c> file each in <see cref="AgentOptions.AgentsDirectory"/>. A user file with a built-in's name replaces it.
/// </summary>
/// <remarks>
/// Files are read on every call, so edits show without a restart. Thread-safe: writes go to a temporary file that is then
/// moved into place, so a reader sees the old or the new template, never half of one.
/// </remarks>
public sealed class AgentTemplates
{
    /// <summary>The JSON shape of template files and of the HTTP API: camelCase, enums as strings.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
    };

    private readonly string _directory;

    /// <summary>Initializes the templates over <paramref name="options"/>' agents folder.</summary>
    /// <param name="options">Where the files live.</param>
    public AgentTemplates(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _directory = options.AgentsDirectory;
    }

    /// <summary>Gets the built-in templates.</summary>
    public static IReadOnlyList<AgentTemplate> BuiltIn { get; } =
    [
        new()
        {
            Name = "researcher",
            Description = "Finds facts with its tools, cites where each came from and keeps what it learned.",
            Instructions = "You are a careful researcher. Use your tools to look things up instead of guessing. Say where each fact came from. Store facts worth keeping with the remember tool. Answer briefly.",
            Temperature = 0.3f,
            Memory = true,
            Budget = new AgentBudget { MaxSteps = 8, MaxSeconds = 300 },
        },
        new()
        {
            Name = "coder",
            Description = "Writes and explains code; small, correct, tested.",
            Instructions = "You are a senior software engineer. Write small, correct code with a short explanation. Prefer standard libraries. When unsure, say what you would test.",
            Temperature = 0.2f,
            Budget = new AgentBudget { MaxSteps = 8, MaxSeconds = 300 },
        },
        new()
        {
            Name = "analyst",
            Description = "Breaks a question into parts, weighs evidence and gives a reasoned conclusion.",
            Instructions = "You are an analyst. Break the question into parts, weigh the evidence for each, then give a clear conclusion and your confidence in it.",
            Temperature = 0.4f,
            Budget = new AgentBudget { MaxSteps = 6, MaxSeconds = 300 },
        },
        new()
        {
            Name = "creative",
            Description = "Writes stories, names and ideas.",
            Instructions = "You are a creative writer. Write vivid, original text in the form asked for.",
            Temperature = 0.9f,
            Budget = new AgentBudget { MaxSteps = 4, MaxSeconds = 300 },
        },
    ];

    /// <summary>Lists every template, user files over built-ins, by name.</summary>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <returns>The templates, ordered by name.</returns>
    /// <exception cref="AgentTemplateException">A file is invalid; the message names the file and the field.</exception>
    public Task<IReadOnlyList<AgentTemplate>> ListAsync(CancellationToken cancellationToken = default) =>
        ListAsync(invalid: null, cancellationToken);

    /// <summary>Lists the valid templates, user files over built-ins, by name, reporting each invalid file instead of failing.</summary>
    /// <param name="invalid">Gets each invalid file's error (the message names the file and the field); <see langword="null"/> to throw it.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <returns>The templates, ordered by name.</returns>
    /// <exception cref="AgentTemplateException">A file is invalid and <paramref name="invalid"/> is <see langword="null"/>.</exception>
    public async Task<IReadOnlyList<AgentTemplate>> ListAsync(Action<AgentTemplateException>? invalid, CancellationToken cancellationToken = default)
    {
        var all = BuiltIn.ToDictionary(t => t.Name, StringComparer.Ordinal);
        if (Directory.Exists(_directory))
        {
            foreach (string file in Directory.EnumerateFiles(_directory, "*.json"))
            {
                try
                {
                    AgentTemplate template = await ReadAsync(file, cancellationToken).ConfigureAwait(false);
                    all[template.Name] = template;
                }
                catch (AgentTemplateException ex) when (invalid is not null)
                {
                    invalid(ex);
                }
            }
        }

        return [.. all.Values.OrderBy(t => t.Name, StringComparer.Ordinal)];
    }

    /// <summary>Gets a template by name.</summary>
    /// <param name="name">The template's name.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <returns>The template.</returns>
    /// <exception cref="AgentTemplateNotFoundException">No template has that name.</exception>
    /// <exception cref="AgentTemplateException">Its file is invalid.</exception>
    public async Task<AgentTemplate> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (AgentTemplate.IsValidName(name) && File.Exists(PathOf(name)))
        {
            return await ReadAsync(PathOf(name), cancellationToken).ConfigureAwait(false);
        }

        return BuiltIn.FirstOrDefault(t => t.Name == name)
            ?? throw new AgentTemplateNotFoundException(name, Names());
    }

    /// <summary>Validates and writes a user template (creating or replacing <c>&lt;name&gt;.json</c>).</summary>
    /// <param name="template">The template.</param>
    /// <param name="cancellationToken">Stops the writing.</param>
    /// <returns>A task that completes when the file is in place.</returns>
    /// <exception cref="AgentTemplateException">The template is invalid; the message names the fields.</exception>
    public async Task SaveAsync(AgentTemplate template, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(template);
        IReadOnlyList<string> errors = template.Validate();
        if (errors.Count > 0)
        {
            throw new AgentTemplateException($"Agent template '{template.Name}': {string.Join(" ", errors)}");
        }

        Directory.CreateDirectory(_directory);
        string temporary = PathOf(template.Name) + ".tmp";
        await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(template, JsonOptions), cancellationToken).ConfigureAwait(false);
        File.Move(temporary, PathOf(template.Name), overwrite: true);
    }

    /// <summary>Deletes a user template's file.</summary>
    /// <param name="name">The template's name.</param>
    /// <exception cref="AgentTemplateException">The name is a built-in template without a user file.</exception>
    /// <exception cref="AgentTemplateNotFoundException">No template has that name.</exception>
    public void Delete(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (AgentTemplate.IsValidName(name) && File.Exists(PathOf(name)))
        {
            File.Delete(PathOf(name));
            return;
        }

        if (BuiltIn.Any(t => t.Name == name))
        {
            throw new AgentTemplateException($"Agent template '{name}' is built in and cannot be deleted.");
        }

        throw new AgentTemplateNotFoundException(name, Names());
    }

    /// <summary>Parses and validates a template file's text.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="source">The file or request it came from, for messages.</param>
    /// <returns>The template.</returns>
    /// <exception cref="AgentTemplateException">The text is not a valid template; the message names <paramref name="source"/> and the field.</exception>
    public static AgentTemplate Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(source);
        AgentTemplate? template;
        try
        {
            template = JsonSerializer.Deserialize<AgentTemplate>(json, JsonOptions);
        }
        catch (JsonException ex)
        {
            string field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "" : ex.Path.TrimStart('$', '.');
            throw new AgentTemplateException($"{source}: invalid agent template: {Describe(ex, field)}", ex);
        }

        if (template is null)
        {
            throw new AgentTemplateException($"{source}: the agent template must be a JSON object.");
        }

        IReadOnlyList<string> errors = template.Validate();
        if (errors.Count > 0)
        {
            throw new AgentTemplateException($"{source}: {string.Join(" ", errors)}");
        }

        return template;
    }

    /// <summary>Says what is wrong in the JSON's terms: the field and the type it needs, never a .NET type name.</summary>
    private static string Describe(JsonException ex, string field)
    {
        string message = ex.Message;
        if (message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            return $"unknown field '{Quoted(message)}' (fields: name, description, instructions, tools, toolMode, temperature, maxOutputTokens, memory, budget).";
        }

        if (message.Contains("missing required properties", StringComparison.Ordinal))
        {
            return $"'name' and 'instructions' are required{(field.Length > 0 ? $" (at {field})" : "")}.";
        }

        if (message.Contains("could not be converted", StringComparison.Ordinal))
        {
            string expected = field.Split('.')[^1] switch
            {
                "name" or "description" or "instructions" => "a string",
                "tools" => "an array of tool names",
                "toolMode" => "\"auto\", \"required\" or \"none\"",
                "temperature" => "a number",
                "maxOutputTokens" or "maxSteps" or "maxSeconds" or "maxTokens" => "a whole number",
                "memory" => "true or false",
                "budget" => "an object ({\"maxSteps\",\"maxSeconds\",\"maxTokens\"})",
                _ => "a value of another type",
            };
            return $"{field} must be {expected}.";
        }

        return field.Length > 0 ? $"not valid JSON at {field} (line {ex.LineNumber + 1})." : $"not valid JSON (line {ex.LineNumber + 1}).";
    }

    private static string Quoted(string message)
    {
        int start = message.IndexOf('\'', StringComparison.Ordinal) + 1;
        return message[start..message.IndexOf('\'', start)];
    }

    private async Task<AgentTemplate> ReadAsync(string file, CancellationToken cancellationToken)
    {
        AgentTemplate template = Parse(await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false), file);
        if (template.Name != Path.GetFileNameWithoutExtension(file))
        {
            throw new AgentTemplateException($"{file}: name '{template.Name}' must match the file name.");
        }

        return template;
    }

    /// <summary>The built-in and user templates' names, sorted; read from the file names, so a bad file does not hide the list.</summary>
    private IEnumerable<string> Names() =>
        BuiltIn.Select(t => t.Name)
            .Concat(Directory.Exists(_directory) ? Directory.EnumerateFiles(_directory, "*.json").Select(f => Path.GetFileNameWithoutExtension(f)) : [])
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);

    private string PathOf(string name) => Path.Combine(_directory, name + ".json");
}
