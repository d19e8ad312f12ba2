using System.Net;
using Makaretu.Dns;

namespace OffGrid.Distribution.Peers;

/// <summary>
/// DNS-SD (RFC 6763) over multicast DNS (RFC 6762) for the <c>_offgrid._tcp</c> service: the browse query, the answer
/// a sharing machine sends (PTR, SRV, TXT and A records), and reading answers. Messages are encoded with Makaretu.Dns.
/// </summary>
internal static class DnsServiceRecords
{
    public const string ServiceType = "_offgrid._tcp.local";
    public const string ServiceEnumeration = "_services._dns-sd._udp.local";
    public const int Port = 5353;
    public static readonly IPAddress Group = IPAddress.Parse("224.0.0.251");

    /// <summary>TTL of answers to legacy (one-shot) queries, which RFC 6762 §6.7 caps at 10 s.</summary>
    private static readonly TimeSpan s_legacyTtl = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_ttl = TimeSpan.FromMinutes(2);

    public static Message Query(ushort id)
    {
        var query = new Message { Id = id, QR = false };
        query.Questions.Add(new Question { Name = ServiceType, Type = DnsType.PTR, Class = DnsClass.IN });
        return query;
    }

    /// <summary>Gets a value indicating whether <paramref name="message"/> asks for OffGrid services (or for the list of service types).</summary>
    public static bool AsksForService(Message message) =>
        message.IsQuery && message.Questions.Any(q =>
            (q.Type is DnsType.PTR or DnsType.ANY) && (IsName(q.Name, ServiceType) || IsName(q.Name, ServiceEnumeration)));

    /// <summary>The answer of a sharing machine; a legacy query (not from port 5353) gets the question echoed, the query's id and short TTLs.</summary>
    public static Message Answer(Message query, bool legacy, string instance, int port, IReadOnlyList<IPAddress> addresses, IReadOnlyDictionary<string, string> properties)
    {
        TimeSpan ttl = legacy ? s_legacyTtl : s_ttl;
        var answer = new Message { Id = legacy ? query.Id : (ushort)0, QR = true, AA = true };
        if (legacy)
        {
            answer.Questions.AddRange(query.Questions);
        }

        DomainName instanceName = $"{instance}.{ServiceType}";
        DomainName host = $"{instance}.local";
        if (query.Questions.Any(q => IsName(q.Name, ServiceEnumeration)))
        {
            answer.Answers.Add(new PTRRecord { Name = ServiceEnumeration, DomainName = ServiceType, TTL = ttl });
        }

        answer.Answers.Add(new PTRRecord { Name = ServiceType, DomainName = instanceName, TTL = ttl });
        answer.AdditionalRecords.Add(new SRVRecord { Name = instanceName, Target = host, Port = (ushort)port, TTL = ttl });
        answer.AdditionalRecords.Add(new TXTRecord { Name = instanceName, Strings = properties.Select(p => $"{p.Key}={p.Value}").ToList(), TTL = ttl });
        foreach (IPAddress address in addresses)
        {
            answer.AdditionalRecords.Add(new ARecord { Name = host, Address = address, TTL = ttl });
        }

        return answer;
    }

    /// <summary>Reads the OffGrid services announced in a response; <paramref name="source"/> is the address it came from.</summary>
    public static IEnumerable<AnnouncedService> Read(Message response, IPAddress source)
    {
        if (!response.IsResponse)
        {
            yield break;
        }

        List<ResourceRecord> records = [.. response.Answers, .. response.AdditionalRecords];
        foreach (PTRRecord pointer in records.OfType<PTRRecord>().Where(p => IsName(p.Name, ServiceType)))
        {
            DomainName instance = pointer.DomainName;
            if (records.OfType<SRVRecord>().FirstOrDefault(s => s.Name.Equals(instance)) is not { } service)
            {
                continue;
            }

            var properties = records.OfType<TXTRecord>().Where(t => t.Name.Equals(instance)).SelectMany(t => t.Strings)
                .Select(s => s.Split('=', 2))
                .Where(kv => kv.Length == 2)
                .GroupBy(kv => kv[0], StringComparer.OrdinalIgnoreCase)
                .ToDictionary(g => g.Key, g => g.First()[1], StringComparer.OrdinalIgnoreCase);
            List<IPAddress> addresses = [source, .. records.OfType<ARecord>().Where(a => a.Name.Equals(service.Target)).Select(a => a.Address).Where(a => !a.Equals(source))];
            yield return new AnnouncedService(instance.Labels[0], service.Port, addresses, properties);
        }
    }

    private static bool IsName(DomainName name, string expected) => name.Equals(new DomainName(expected));
}
