using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using OffGrid.Agents.Templates;

namespace OffGrid.Agents.Runs;

/// <summary>
/// Runs, their transcripts (steps) and the agents' long-term memory in one SQLite file (WAL journal, so a killed process
/// loses nothing that was committed). Each <c>running</c> run names its owner (<see cref="AgentRunOwner"/>): several processes
/// share the file, and a run becomes <c>interrupted</c> only when its owner is gone (<see cref="InterruptOrphans"/>).
/// </summary>
/// <remarks>Thread-safe: each call uses its own pooled connection and SQLite serializes the writes.</remarks>
internal sealed class AgentRunStore
{
    private readonly string _connectionString;
    private readonly Lock _appendLock = new();

    static AgentRunStore() => SQLitePCL.Batteries_V2.Init();

    public AgentRunStore(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();
        using SqliteConnection connection = Open();
        Execute(connection, """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS runs (
                id TEXT PRIMARY KEY, request TEXT NOT NULL, status TEXT NOT NULL, answer TEXT, error TEXT,
                input_tokens INTEGER NOT NULL DEFAULT 0, output_tokens INTEGER NOT NULL DEFAULT 0,
                created TEXT NOT NULL, updated TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS steps (
                run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, seq INTEGER NOT NULL, step TEXT NOT NULL,
                PRIMARY KEY (run_id, seq));
            CREATE TABLE IF NOT EXISTS memories (
                id INTEGER PRIMARY KEY AUTOINCREMENT, agent TEXT NOT NULL, fact TEXT NOT NULL, created TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS memories_agent ON memories(agent);
            """);
        // Files from before runs had owners: those runs count as ownerless, so interrupted once their process is gone.
        if (!Columns(connection, "runs").Contains("owner"))
        {
            Execute(connection, "ALTER TABLE runs ADD COLUMN owner TEXT");
        }
    }

    /// <summary>Marks those of <paramref name="runs"/> that are <c>running</c> but whose owner is gone (or unknown) <c>interrupted</c>.</summary>
    /// <returns>Whether any run changed.</returns>
    public bool InterruptOrphans(IEnumerable<AgentRunInfo> runs)
    {
        bool changed = false;
        using SqliteConnection connection = Open();
        foreach (AgentRunInfo run in runs)
        {
            if (run.Status == AgentRunStatus.Running && run.Owner?.IsAlive(run.Id) != true)
            {
                // Only while the same owner holds it: a process that resumed the run meanwhile keeps it.
                using SqliteCommand update = Command(connection, "UPDATE runs SET status = 'interrupted', error = 'The process running it stopped during the run.', owner = NULL, updated = $now WHERE id = $id AND status = 'running' AND owner IS $owner",
                    ("$id", run.Id), ("$owner", Serialize(run.Owner)), ("$now", Format(DateTimeOffset.UtcNow)));
                changed |= update.ExecuteNonQuery() > 0;
            }
        }

        return changed;
    }

    public IReadOnlyList<AgentRunInfo> Running() => Query("SELECT * FROM runs WHERE status = 'running'");

    public AgentRunInfo Create(AgentRunRequest request, AgentRunOwner owner)
    {
        var now = DateTimeOffset.UtcNow;
        var info = new AgentRunInfo { Id = "run_" + Guid.NewGuid().ToString("N")[..24], Request = request, Status = AgentRunStatus.Running, Created = now, Updated = now, Owner = owner };
        using SqliteConnection connection = Open();
        Execute(connection, "INSERT INTO runs (id, request, status, created, updated, owner) VALUES ($id, $request, 'running', $now, $now, $owner)",
            ("$id", info.Id), ("$request", JsonSerializer.Serialize(request, AgentTemplates.JsonOptions)), ("$now", Format(now)), ("$owner", Serialize(owner)));
        return info;
    }

    /// <summary>Makes this process the owner of a stopped run again, unless another process took it first.</summary>
    /// <returns>Whether this process now owns the run.</returns>
    public bool Claim(string id, AgentRunStatus expected, AgentRunOwner owner)
    {
        using SqliteConnection connection = Open();
        using SqliteCommand claim = Command(connection, "UPDATE runs SET status = 'running', answer = NULL, error = NULL, owner = $owner, updated = $now WHERE id = $id AND status = $expected",
            ("$id", id), ("$expected", Name(expected)), ("$owner", Serialize(owner)), ("$now", Format(DateTimeOffset.UtcNow)));
        return claim.ExecuteNonQuery() > 0;
    }

    public void SetStatus(string id, AgentRunStatus status, string? answer, string? error, long inputTokens, long outputTokens)
    {
        using SqliteConnection connection = Open();
        Execute(connection, "UPDATE runs SET status = $status, answer = $answer, error = $error, input_tokens = $in, output_tokens = $out, owner = NULL, updated = $now WHERE id = $id",
            ("$id", id), ("$status", Name(status)), ("$answer", answer), ("$error", error), ("$in", inputTokens), ("$out", outputTokens), ("$now", Format(DateTimeOffset.UtcNow)));
    }

    /// <summary>Stores a running run's usage so far, so that a run read before it ends (or after its process died) shows it.</summary>
    public void SetUsage(string id, long inputTokens, long outputTokens)
    {
        using SqliteConnection connection = Open();
        Execute(connection, "UPDATE runs SET input_tokens = $in, output_tokens = $out WHERE id = $id AND status = 'running'", ("$id", id), ("$in", inputTokens), ("$out", outputTokens));
    }

    /// <summary>Appends a step, numbering it after the run's last one.</summary>
    public AgentStep Append(string runId, AgentStep step)
    {
        // One process owns the file (the server or the CLI), so a lock is enough to keep the numbering gap-free.
        lock (_appendLock)
        {
            using SqliteConnection connection = Open();
            using SqliteCommand next = Command(connection, "SELECT COALESCE(MAX(seq), 0) + 1 FROM steps WHERE run_id = $id", ("$id", runId));
            AgentStep numbered = step with { Sequence = (long)next.ExecuteScalar()! };
            Execute(connection, "INSERT INTO steps (run_id, seq, step) VALUES ($id, $seq, $step)",
                ("$id", runId), ("$seq", numbered.Sequence), ("$step", JsonSerializer.Serialize(numbered, AgentTemplates.JsonOptions)));
            return numbered;
        }
    }

    public AgentRunInfo? Get(string id) => Query("SELECT * FROM runs WHERE id = $id", ("$id", id)).FirstOrDefault();

    /// <summary>Lists the newest runs, only <paramref name="user"/>'s when given (the owner is kept in the stored request).</summary>
    public IReadOnlyList<AgentRunInfo> List(int limit, string? user) => Query(
        "SELECT * FROM runs WHERE $user IS NULL OR lower(json_extract(request, '$.user')) = lower($user) ORDER BY created DESC, id LIMIT $limit",
        ("$limit", limit), ("$user", user));

    public IReadOnlyList<AgentStep> Steps(string runId, long after)
    {
        using SqliteConnection connection = Open();
        using SqliteCommand command = Command(connection, "SELECT step FROM steps WHERE run_id = $id AND seq > $after ORDER BY seq", ("$id", runId), ("$after", after));
        using SqliteDataReader reader = command.ExecuteReader();
        var steps = new List<AgentStep>();
        while (reader.Read())
        {
            steps.Add(JsonSerializer.Deserialize<AgentStep>(reader.GetString(0), AgentTemplates.JsonOptions)!);
        }

        return steps;
    }

    public void Remember(string agent, string fact)
    {
        using SqliteConnection connection = Open();
        Execute(connection, "INSERT INTO memories (agent, fact, created) VALUES ($agent, $fact, $now)", ("$agent", agent), ("$fact", fact), ("$now", Format(DateTimeOffset.UtcNow)));
    }

    public IReadOnlyList<string> Memories(string agent, int limit)
    {
        using SqliteConnection connection = Open();
        using SqliteCommand command = Command(connection, "SELECT fact FROM (SELECT id, fact FROM memories WHERE agent = $agent ORDER BY id DESC LIMIT $limit) ORDER BY id", ("$agent", agent), ("$limit", limit));
        using SqliteDataReader reader = command.ExecuteReader();
        var facts = new List<string>();
        while (reader.Read())
        {
            facts.Add(reader.GetString(0));
        }

        return facts;
    }

    /// <summary>An enum value as stored and shown: <c>budget_exceeded</c>, <c>hierarchy</c>.</summary>
    internal static string Name<T>(T value)
        where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    private static string? Serialize(AgentRunOwner? owner) => owner is null ? null : JsonSerializer.Serialize(owner);

    private static HashSet<string> Columns(SqliteConnection connection, string table)
    {
        using SqliteCommand command = Command(connection, $"SELECT name FROM pragma_table_info('{table}')");
        using SqliteDataReader reader = command.ExecuteReader();
        var columns = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            columns.Add(reader.GetString(0));
        }

        return columns;
    }

    private static string Format(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);

    private List<AgentRunInfo> Query(string sql, params (string Name, object? Value)[] parameters)
    {
        using SqliteConnection connection = Open();
        using SqliteCommand command = Command(connection, sql, parameters);
        using SqliteDataReader reader = command.ExecuteReader();
        var runs = new List<AgentRunInfo>();
        while (reader.Read())
        {
            runs.Add(new AgentRunInfo
            {
                Id = reader.GetString(reader.GetOrdinal("id")),
                Request = JsonSerializer.Deserialize<AgentRunRequest>(reader.GetString(reader.GetOrdinal("request")), AgentTemplates.JsonOptions)!,
                Status = Enum.Parse<AgentRunStatus>(reader.GetString(reader.GetOrdinal("status")).Replace("_", "", StringComparison.Ordinal), ignoreCase: true),
                Answer = reader.IsDBNull(reader.GetOrdinal("answer")) ? null : reader.GetString(reader.GetOrdinal("answer")),
                Error = reader.IsDBNull(reader.GetOrdinal("error")) ? null : reader.GetString(reader.GetOrdinal("error")),
                InputTokens = reader.GetInt64(reader.GetOrdinal("input_tokens")),
                OutputTokens = reader.GetInt64(reader.GetOrdinal("output_tokens")),
                Created = DateTimeOffset.Parse(reader.GetString(reader.GetOrdinal("created")), CultureInfo.InvariantCulture),
                Updated = DateTimeOffset.Parse(reader.GetString(reader.GetOrdinal("updated")), CultureInfo.InvariantCulture),
                Owner = reader.IsDBNull(reader.GetOrdinal("owner")) ? null : JsonSerializer.Deserialize<AgentRunOwner>(reader.GetString(reader.GetOrdinal("owner"))),
            });
        }

        return runs;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        // WAL with synchronous=NORMAL keeps every commit across a killed process (the case runs must survive) and syncs
        // only at checkpoints, so storing a step does not wait for the disk.
        Execute(connection, "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;");
        return connection;
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        foreach ((string name, object? value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    private static void Execute(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using SqliteCommand command = Command(connection, sql, parameters);
        command.ExecuteNonQuery();
    }
}
