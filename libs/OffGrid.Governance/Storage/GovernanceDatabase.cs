using Microsoft.Data.Sqlite;

namespace OffGrid.Governance.Storage;

/// <summary>
/// One SQLite file of the governance folder, in WAL mode so that the server and the CLI (separate processes) read and write
/// it at the same time; a write waits up to 30 s for another process's write to finish.
/// </summary>
/// <remarks>Thread-safe: every operation opens its own (pooled) connection.</remarks>
internal sealed class GovernanceDatabase
{
    private readonly string _connectionString;
    private readonly string _synchronous;

    static GovernanceDatabase() => SQLitePCL.Batteries_V2.Init();

    /// <summary>Opens (creating when needed) the database at <paramref name="path"/> and applies <paramref name="schema"/>.</summary>
    /// <param name="path">The database file.</param>
    /// <param name="schema">Idempotent DDL (<c>CREATE … IF NOT EXISTS</c>).</param>
    /// <param name="durable">Whether every commit is flushed to disk (<c>synchronous = FULL</c>) rather than at checkpoints.</param>
    public GovernanceDatabase(string path, string schema, bool durable)
    {
        FilePath = System.IO.Path.GetFullPath(path);
        System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(FilePath)!);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            ForeignKeys = true,
            DefaultTimeout = 30,
        }.ToString();
        _synchronous = durable ? "FULL" : "NORMAL";
        using SqliteConnection connection = Open();
        Execute(connection, "PRAGMA journal_mode = WAL;");
        Execute(connection, schema);
    }

    /// <summary>Gets the full path of the database file.</summary>
    public string FilePath { get; }

    /// <summary>Opens a connection; the caller disposes it.</summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA synchronous = " + _synchronous + ";");
        return connection;
    }

    /// <summary>Runs SQL without parameters or results.</summary>
    public static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Creates a command with named parameters (<c>$name</c>); <see langword="null"/> values become SQL NULL.</summary>
    public static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        foreach ((string name, object? value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }
}
