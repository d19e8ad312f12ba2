using System.Net;
using Makaretu.Dns;
using OffGrid.Distribution.Peers;

namespace OffGrid.Distribution.Tests.Peers;

/// <summary>
/// The DNS-SD messages on the wire, encoded with Makaretu.Dns 2.0.1 (which restores onto SimpleBase 3.x here; the
/// records OffGrid uses never touch it), and why Makaretu.Dns.Multicast's own service discovery is not used.
/// </summary>
public sealed class DnsServiceRecordsTests
{
    private static readonly IReadOnlyDictionary<string, string> s_properties = new Dictionary<string, string> { ["v"] = "1", ["id"] = "0123456789abcdef0123456789abcdef", ["net"] = "55a1e8f1ecd81e87", ["path"] = "/peer/v1" };

    [Fact]
    public void AQueryIsRecognisedAfterAWireRoundTrip()
    {
        Message query = Read(DnsServiceRecords.Query(4242).ToByteArray());

        Assert.True(query.IsQuery);
        Assert.True(DnsServiceRecords.AsksForService(query));
        Question question = Assert.Single(query.Questions);
        Assert.Equal(DnsType.PTR, question.Type);

        var other = new Message();
        other.Questions.Add(new Question { Name = "_http._tcp.local", Type = DnsType.PTR });
        Assert.False(DnsServiceRecords.AsksForService(Read(other.ToByteArray())));
    }

    [Fact]
    public void AnAnswerCarriesThePortAddressesAndPropertiesAcrossTheWire()
    {
        Message query = DnsServiceRecords.Query(7);
        IPAddress[] addresses = [IPAddress.Parse("10.77.0.1"), IPAddress.Parse("192.168.1.5")];

        Message answer = Read(DnsServiceRecords.Answer(query, legacy: true, (string)s_properties["id"], 11612, addresses, s_properties).ToByteArray());
        AnnouncedService service = Assert.Single(DnsServiceRecords.Read(answer, IPAddress.Parse("10.77.0.1")));

        Assert.Equal(7, answer.Id);
        Assert.Single(answer.Questions); // a legacy (one-shot) query gets its question back
        Assert.Equal(s_properties["id"], service.Instance);
        Assert.Equal(11612, service.Port);
        Assert.Equal(addresses, service.Addresses);
        Assert.Equal("55a1e8f1ecd81e87", service.Properties["net"]);
        Assert.Equal("/peer/v1", service.Properties["path"]);
        Assert.All(answer.Answers.Concat(answer.AdditionalRecords), r => Assert.True(r.TTL <= TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void AMulticastAnswerHasNoQuestionAndLongerLivedRecords()
    {
        Message answer = Read(DnsServiceRecords.Answer(DnsServiceRecords.Query(9), legacy: false, "abc", 1, [IPAddress.Parse("10.0.0.1")], s_properties).ToByteArray());

        Assert.Equal(0, answer.Id);
        Assert.Empty(answer.Questions);
        Assert.True(answer.AA);
        Assert.Contains(answer.Answers, r => r is PTRRecord && r.TTL > TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void MakaretuMulticastServiceDiscoveryDoesNotLoadWithTheMirrorsIPNetwork2()
    {
        // Makaretu.Dns.Multicast 0.27.0 was built against IPNetwork2 2.x; the mirror serves only 5.x, which renamed
        // System.Net.IPNetwork, so MulticastService's type initializer fails. If this test starts failing, the
        // dependency has been fixed and OffGrid's own responder could be replaced by ServiceDiscovery.
        var ex = Assert.Throws<TypeInitializationException>(() => new MulticastService());

        Assert.IsType<TypeLoadException>(ex.InnerException);
        Assert.Contains("System.Net.IPNetwork", ex.InnerException!.Message, StringComparison.Ordinal);
    }

    private static Message Read(byte[] bytes)
    {
        var message = new Message();
        message.Read(bytes, 0, bytes.Length);
        return message;
    }
}
