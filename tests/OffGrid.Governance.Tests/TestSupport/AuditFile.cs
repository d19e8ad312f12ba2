using Microsoft.Data.Sqlite;

namespace OffGrid.Governance.Tests.TestSupport;

/// <summary>Edits an audit database behind the library's back, as someone with access to the file would.</summary>
internal static class AuditFile
{
    public static void Tamper(string databasePath, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "DROP TRIGGER IF EXISTS audit_entries_no_update; DROP TRIGGER IF EXISTS audit_entries_no_delete; " + sql;
        command.ExecuteNonQuery();
    }

    public static void Execute(string databasePath, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
