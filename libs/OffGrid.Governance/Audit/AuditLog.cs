using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using OffGrid.Governance.Storage;

namespace OffGrid.Governance.Audit;

/// <summary>
/// The append-only, hash-chained audit log in <c>audit.db</c>: every entry is sealed with an HMAC over its fields and the seal
/// of the entry before it, so <see cref="VerifyAsync(CancellationToken)"/> finds an entry that was changed, deleted or
/// reordered and names it. Entries are exported as JSON, CSV or XLSX with filters; retention removes old entries from the
/// start of the chain behind a sealed anchor, so what remains still verifies.
/// </summary>
/// <remarks>
/// <para>
/// Storage: entries are kept in insertion order (<c>position</c>); SQLite triggers refuse <c>UPDATE</c> and <c>DELETE</c>
/// so that no OffGrid code path can rewrite history (retention lifts the delete trigger inside its own transaction). A sealed
/// head record names the last entry, which exposes entries cut from the end.
/// </para>
/// <para>
/// Thread-safe, and safe with several processes: appends run in a transaction, one writer at a time. Each append is flushed
/// to disk before it returns; appends that arrive while another is being written are committed together by the next
/// writer, in arrival order (a group commit: one flush for all of them, so concurrent requests do not queue for the disk
/// one by one).
/// </para>
/// </remarks>
public sealed class AuditLog
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS audit_entries(
            position INTEGER PRIMARY KEY,
            seq INTEGER NOT NULL,
            ts INTEGER NOT NULL,
            user_name TEXT COLLATE NOCASE,
            key_id TEXT,
            client TEXT,
            method TEXT,
            route TEXT NOT NULL,
            model TEXT COLLATE NOCASE,
            input_tokens INTEGER,
            output_tokens INTEGER,
            status INTEGER NOT NULL,
            latency_us INTEGER NOT NULL,
            prompt TEXT,
            answer TEXT,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS audit_entries_by_time ON audit_entries(ts);
        CREATE TABLE IF NOT EXISTS audit_markers(
            name TEXT PRIMARY KEY,
            seq INTEGER NOT NULL,
            hash TEXT NOT NULL,
            removed INTEGER NOT NULL,
            at INTEGER NOT NULL,
            mac TEXT NOT NULL);
        CREATE TRIGGER IF NOT EXISTS audit_entries_no_update BEFORE UPDATE ON audit_entries
            BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
        """ + NoDeleteTrigger;

    private const string NoDeleteTrigger = """
        CREATE TRIGGER IF NOT EXISTS audit_entries_no_delete BEFORE DELETE ON audit_entries
            BEGIN SELECT RAISE(ABORT, 'audit entries are removed only by retention'); END;
        """;

    private const string EntryColumns = "seq, ts, user_name, key_id, client, method, route, model, input_tokens, output_tokens, status, latency_us, prompt, answer, prev_hash, hash";

    private readonly GovernanceDatabase _database;
    private readonly AuditSeal _seal;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Lock _pendingGate = new();
    private List<PendingEntry> _pending = [];

    /// <summary>Opens the audit log of <paramref name="options"/>, creating the database and the key when needed.</summary>
    /// <param name="options">Where the log and its key live, and the audit settings.</param>
    /// <param name="timeProvider">The clock; the system clock when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="InvalidDataException">The key file exists but is damaged.</exception>
    public AuditLog(GovernanceOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        Options = options.Audit;
        _database = new GovernanceDatabase(options.AuditDatabasePath, Schema, durable: true);
        _seal = AuditSeal.Load(options.AuditKeyPath);
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the audit settings.</summary>
    public AuditOptions Options { get; }

    /// <summary>Gets the current time of the log's clock.</summary>
    internal DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Appends an event at the end of the chain.</summary>
    /// <param name="auditEvent">The event; a missing timestamp becomes now. Its prompt and answer are dropped unless <see cref="AuditOptions.RecordContent"/> is on.</param>
    /// <param name="cancellationToken">Cancels waiting for the write; once written, the entry stays.</param>
    /// <returns>The stored entry.</returns>
    public async Task<AuditEntry> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        ArgumentException.ThrowIfNullOrEmpty(auditEvent.Route, nameof(auditEvent));
        AuditEvent stored = auditEvent with
        {
            Timestamp = auditEvent.Timestamp ?? _time.GetUtcNow(),
            Prompt = Options.RecordContent ? auditEvent.Prompt : null,
            Answer = Options.RecordContent ? auditEvent.Answer : null,
        };
        var pending = new PendingEntry(stored);
        lock (_pendingGate)
        {
            _pending.Add(pending);
        }

        try
        {
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            lock (_pendingGate)
            {
                if (_pending.Remove(pending))
                {
                    throw;
                }
            }

            // A writer already took the entry: it will be stored, so report it as stored.
            return await pending.Completion.Task.ConfigureAwait(false);
        }

        try
        {
            // Another writer may have committed this entry with its own while this one waited.
            if (!pending.Completion.Task.IsCompleted)
            {
                List<PendingEntry> batch;
                lock (_pendingGate)
                {
                    batch = _pending;
                    _pending = [];
                }

                WriteBatch(batch);
            }
        }
        finally
        {
            _writeLock.Release();
        }

        return await pending.Completion.Task.ConfigureAwait(false);
    }

    /// <summary>Reads entries in chain order.</summary>
    /// <param name="filter">Which entries; all when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The matching entries.</returns>
    public async IAsyncEnumerable<AuditEntry> QueryAsync(AuditFilter? filter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        filter ??= new AuditFilter();
        using SqliteConnection connection = _database.Open();
        using SqliteCommand command = GovernanceDatabase.Command(
            connection,
            $"""
            SELECT {EntryColumns} FROM audit_entries
            WHERE ($user IS NULL OR user_name = $user) AND ($from IS NULL OR ts >= $from) AND ($to IS NULL OR ts < $to)
              AND ($model IS NULL OR model = $model) AND ($status IS NULL OR status = $status)
            ORDER BY position
            """,
            ("$user", filter.UserName), ("$from", filter.From?.ToUnixTimeMilliseconds()), ("$to", filter.To?.ToUnixTimeMilliseconds()),
            ("$model", filter.Model), ("$status", filter.Status));
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return ReadEntry(reader);
        }
    }

    /// <summary>Writes the matching entries to <paramref name="output"/>.</summary>
    /// <param name="output">Where to write; left open.</param>
    /// <param name="format">The file format.</param>
    /// <param name="filter">Which entries; all when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the export.</param>
    /// <returns>The number of entries written.</returns>
    public Task<long> ExportAsync(Stream output, AuditExportFormat format, AuditFilter? filter = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        IAsyncEnumerable<AuditEntry> entries = QueryAsync(filter, cancellationToken);
        return format switch
        {
            AuditExportFormat.Json => AuditExport.WriteJsonAsync(entries, output, cancellationToken),
            AuditExportFormat.Csv => AuditExport.WriteCsvAsync(entries, output, cancellationToken),
            AuditExportFormat.Xlsx => AuditExport.WriteXlsxAsync(entries, output, cancellationToken),
            _ => throw new GovernanceArgumentException("format", $"Unknown export format {format}: use json, csv or xlsx."),
        };
    }

    /// <summary>
    /// Checks every entry's seal and the chain's order, completeness and links, from the retention anchor (or the first entry)
    /// to the sealed head.
    /// </summary>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>What was checked and every problem found, each naming its entry.</returns>
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken = default)
    {
        using SqliteConnection connection = _database.Open();
        using SqliteTransaction snapshot = connection.BeginTransaction(deferred: true);
        var problems = new List<AuditProblem>();
        Marker? anchor = ReadMarker(connection, snapshot, "anchor", problems);
        Marker? head = ReadMarker(connection, snapshot, "head", problems);
        long first = anchor?.Sequence ?? 1;
        var chain = new AuditChainCheck(first, anchor?.Hash ?? AuditSeal.Genesis);
        using (SqliteCommand command = GovernanceDatabase.Command(connection, $"SELECT {EntryColumns} FROM audit_entries ORDER BY position"))
        {
            command.Transaction = snapshot;
            using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                AuditEntry entry = ReadEntry(reader);
                chain.Add(entry, _seal.SealEntry(entry.Sequence, entry.Event, entry.PreviousHash) == entry.Hash);
            }
        }

        long last = Math.Max(head?.Sequence ?? 0, chain.MaxSequence);
        problems.AddRange(chain.Finish(last));
        return new AuditVerification
        {
            EntriesChecked = chain.Count,
            FirstSequence = first,
            LastSequence = last,
            RemovedByRetention = anchor?.Removed ?? 0,
            Problems = problems.OrderBy(p => p.Sequence).ThenBy(p => p.Kind).ToList(),
        };
    }

    /// <summary>
    /// Removes the entries older than <see cref="AuditOptions.Retention"/> from the start of the chain and moves the sealed
    /// anchor to the first entry kept. Does nothing when no retention is set. Refuses when the chain fails verification, so
    /// that altered entries stay as evidence.
    /// </summary>
    /// <param name="cancellationToken">Cancels the operation before it changes anything.</param>
    /// <returns>The number of entries removed.</returns>
    /// <exception cref="AuditIntegrityException">The chain is altered; nothing was removed.</exception>
    public async Task<long> ApplyRetentionAsync(CancellationToken cancellationToken = default)
    {
        if (Options.Retention is not { } retention)
        {
            return 0;
        }

        AuditVerification verification = await VerifyAsync(cancellationToken).ConfigureAwait(false);
        if (!verification.IsIntact)
        {
            throw new AuditIntegrityException(verification.Problems);
        }

        long cutoff = (_time.GetUtcNow() - retention).ToUnixTimeMilliseconds();
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using SqliteConnection connection = _database.Open();
            using SqliteTransaction transaction = connection.BeginTransaction();
            using SqliteCommand lastOld = GovernanceDatabase.Command(
                connection,
                """
                SELECT position, seq, hash FROM audit_entries
                WHERE position < coalesce((SELECT min(position) FROM audit_entries WHERE ts >= $cutoff), 9223372036854775807)
                ORDER BY position DESC LIMIT 1
                """,
                ("$cutoff", cutoff));
            lastOld.Transaction = transaction;
            long position, sequence;
            string hash;
            using (SqliteDataReader reader = lastOld.ExecuteReader())
            {
                if (!reader.Read())
                {
                    return 0;
                }

                (position, sequence, hash) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2));
            }

            GovernanceDatabase.Execute(connection, "DROP TRIGGER audit_entries_no_delete;", transaction);
            using SqliteCommand delete = GovernanceDatabase.Command(connection, "DELETE FROM audit_entries WHERE position <= $position", ("$position", position));
            delete.Transaction = transaction;
            long removed = delete.ExecuteNonQuery();
            GovernanceDatabase.Execute(connection, NoDeleteTrigger, transaction);
            WriteMarker(connection, transaction, "anchor", sequence + 1, hash, verification.RemovedByRetention + removed);
            transaction.Commit();
            return removed;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Appends <paramref name="batch"/> in one transaction and completes each entry's task (or faults them all).</summary>
    private void WriteBatch(List<PendingEntry> batch)
    {
        var written = new List<AuditEntry>(batch.Count);
        try
        {
            using SqliteConnection connection = _database.Open();
            using SqliteTransaction transaction = connection.BeginTransaction();
            (long sequence, string hash) = ReadHead(connection, transaction);
            foreach (PendingEntry pending in batch)
            {
                AuditEvent stored = pending.Event;
                string previous = hash;
                sequence++;
                hash = _seal.SealEntry(sequence, stored, previous);
                using SqliteCommand insert = GovernanceDatabase.Command(
                    connection,
                    $"INSERT INTO audit_entries({EntryColumns}) VALUES ($seq, $ts, $user, $key, $client, $method, $route, $model, $in, $out, $status, $latency, $prompt, $answer, $prev, $hash)",
                    ("$seq", sequence), ("$ts", stored.Timestamp!.Value.ToUnixTimeMilliseconds()), ("$user", stored.UserName), ("$key", stored.KeyId),
                    ("$client", stored.ClientAddress), ("$method", stored.Method), ("$route", stored.Route), ("$model", stored.Model),
                    ("$in", stored.InputTokens), ("$out", stored.OutputTokens), ("$status", stored.Status), ("$latency", AuditSeal.ToMicroseconds(stored.Latency)),
                    ("$prompt", stored.Prompt), ("$answer", stored.Answer), ("$prev", previous), ("$hash", hash));
                insert.Transaction = transaction;
                insert.ExecuteNonQuery();
                written.Add(new AuditEntry(sequence, stored, previous, hash));
            }

            WriteMarker(connection, transaction, "head", sequence, hash, removed: 0);
            transaction.Commit();
        }
        catch (Exception ex)
        {
            foreach (PendingEntry pending in batch)
            {
                pending.Completion.TrySetException(ex);
            }

            return;
        }

        GovernanceTelemetry.AuditEntries.Add(written.Count);
        for (int i = 0; i < batch.Count; i++)
        {
            batch[i].Completion.TrySetResult(written[i]);
        }
    }

    private (long Sequence, string Hash) ReadHead(SqliteConnection connection, SqliteTransaction transaction)
    {
        using SqliteCommand command = GovernanceDatabase.Command(connection, "SELECT name, seq, hash FROM audit_markers WHERE name IN ('head', 'anchor')");
        command.Transaction = transaction;
        using SqliteDataReader reader = command.ExecuteReader();
        (long Sequence, string Hash)? head = null, anchor = null;
        while (reader.Read())
        {
            if (reader.GetString(0) == "head")
            {
                head = (reader.GetInt64(1), reader.GetString(2));
            }
            else
            {
                anchor = (reader.GetInt64(1) - 1, reader.GetString(2));
            }
        }

        return head ?? anchor ?? (0, AuditSeal.Genesis);
    }

    private void WriteMarker(SqliteConnection connection, SqliteTransaction transaction, string name, long sequence, string hash, long removed)
    {
        long at = _time.GetUtcNow().ToUnixTimeMilliseconds();
        using SqliteCommand command = GovernanceDatabase.Command(
            connection,
            "INSERT INTO audit_markers(name, seq, hash, removed, at, mac) VALUES ($name, $seq, $hash, $removed, $at, $mac) " +
            "ON CONFLICT(name) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, removed = excluded.removed, at = excluded.at, mac = excluded.mac",
            ("$name", name), ("$seq", sequence), ("$hash", hash), ("$removed", removed), ("$at", at), ("$mac", _seal.SealMarker(name, sequence, hash, removed, at)));
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }

    private Marker? ReadMarker(SqliteConnection connection, SqliteTransaction transaction, string name, List<AuditProblem> problems)
    {
        using SqliteCommand command = GovernanceDatabase.Command(connection, "SELECT seq, hash, removed, at, mac FROM audit_markers WHERE name = $name", ("$name", name));
        command.Transaction = transaction;
        using SqliteDataReader reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        var marker = new Marker(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2));
        if (_seal.SealMarker(name, marker.Sequence, marker.Hash, marker.Removed, reader.GetInt64(3)) != reader.GetString(4))
        {
            problems.Add(new AuditProblem(
                AuditProblemKind.Changed, marker.Sequence, $"The chain's {name} record (naming entry {marker.Sequence}) was altered."));
        }

        return marker;
    }

    private static AuditEntry ReadEntry(SqliteDataReader reader) => new(
        reader.GetInt64(0),
        new AuditEvent
        {
            Timestamp = UnixTime.FromMilliseconds(reader.GetInt64(1)),
            UserName = reader.IsDBNull(2) ? null : reader.GetString(2),
            KeyId = reader.IsDBNull(3) ? null : reader.GetString(3),
            ClientAddress = reader.IsDBNull(4) ? null : reader.GetString(4),
            Method = reader.IsDBNull(5) ? null : reader.GetString(5),
            Route = reader.GetString(6),
            Model = reader.IsDBNull(7) ? null : reader.GetString(7),
            InputTokens = reader.IsDBNull(8) ? null : reader.GetInt64(8),
            OutputTokens = reader.IsDBNull(9) ? null : reader.GetInt64(9),
            Status = reader.GetInt32(10),
            Latency = TimeSpan.FromMicroseconds(reader.GetInt64(11)),
            Prompt = reader.IsDBNull(12) ? null : reader.GetString(12),
            Answer = reader.IsDBNull(13) ? null : reader.GetString(13),
        },
        reader.GetString(14),
        reader.GetString(15));

    private sealed record Marker(long Sequence, string Hash, long Removed);

    /// <summary>An event waiting to be written, and the task its appender awaits.</summary>
    private sealed class PendingEntry(AuditEvent auditEvent)
    {
        public AuditEvent Event { get; } = auditEvent;

        // Continuations run outside the writer, so that the next batch is not held up by the callers of this one.
        public TaskCompletionSource<AuditEntry> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
