using CredentialBroker.Server.Governance;

namespace CredentialBroker.UnitTests.Governance;

public sealed class OwnerDirectoryParserTests
{
    [Fact]
    public void Parse_CsvWithQuotesBomAndCrLf_ReadsEveryOwner()
    {
        var directory = OwnerDirectoryParser.Parse("\uFEFFEmail,Name,external_id\r\n\"a@example.com\",\"team-a\",\"HR, 1\"\r\n\r\nb@example.com,team-b,\r\n", DirectoryFormat.Csv);

        Assert.Empty(directory.Errors);
        Assert.Equal([new OwnerDirectoryEntry("team-a", "a@example.com", "HR, 1"), new OwnerDirectoryEntry("team-b", "b@example.com", null)], directory.Entries);
    }

    [Fact]
    public void Parse_QuotedLineBreak_LaterLinesKeepTheirNumbers()
    {
        var directory = OwnerDirectoryParser.Parse("name,email,external_id\nteam-a,a@example.com,\"two\nlines\"\nteam-b,bad\n", DirectoryFormat.Csv);

        Assert.Equal(("line 4", "has 2 fields; the header has 3 (name,email,external_id)"), Assert.Single(directory.Errors));
        Assert.Empty(directory.Entries);
    }

    [Fact]
    public void Parse_Json_ReadsEveryOwner()
    {
        var directory = OwnerDirectoryParser.Parse("""[{"name": "team-a", "email": "a@example.com", "external_id": "7"}, {"name": "team-b", "email": "b@example.com"}]""", DirectoryFormat.Auto);

        Assert.Empty(directory.Errors);
        Assert.Equal(["team-a", "team-b"], directory.Entries.Select(e => e.Name));
        Assert.Equal("7", directory.Entries[0].ExternalId);
    }

    [Theory]
    [InlineData("name,email\nteam-a,a@example.com\nTEAM-A,b@example.com\n", "line 3 name", "listed twice (also line 2)")]
    [InlineData("name,email\nteam-a,a@example.com\nteam-b,A@example.com\n", "line 3 email", "listed twice")]
    [InlineData("name,email,external_id\nteam-a,a@example.com,7\nteam-b,b@example.com,7\n", "line 3 external_id", "listed twice")]
    [InlineData("name,email\nteam a,a@example.com\n", "line 2 name", "not an owner name")]
    [InlineData("name,email\nteam-a,\n", "line 2 email", "not an email address")]
    [InlineData("name,email,email\nteam-a,a@example.com,b@example.com\n", "line 1", "appears twice")]
    [InlineData("name,email\n\"team-a,a@example.com\n", "line 2", "never closed")]
    [InlineData("   \n", "content", "is empty")]
    [InlineData("[]", "content", "lists no owners")]
    [InlineData("[\"team-a\"]", "[0]", "is not an object")]
    [InlineData("[{\"name\": 7, \"email\": \"a@example.com\"}]", "[0] name", "must be a string")]
    [InlineData("[{\"name\": \"team-a\"}]", "[0] email", "not an email address")]
    public void Parse_Malformed_RejectedWholeNamingWhere(string content, string field, string description)
    {
        var directory = OwnerDirectoryParser.Parse(content, DirectoryFormat.Auto);

        Assert.Empty(directory.Entries);
        Assert.Contains(directory.Errors, e => e.Field == field && e.Description.Contains(description, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_TooLarge_Rejected()
    {
        var content = "name,email\n" + new string('x', OwnerDirectoryParser.MaxBytes);

        var directory = OwnerDirectoryParser.Parse(content, DirectoryFormat.Csv);

        Assert.Equal(("content", "is larger than 4 MiB"), Assert.Single(directory.Errors));
    }

    [Fact]
    public void Parse_ManyErrors_CappedWithACount()
    {
        var content = "name,email\n" + string.Concat(Enumerable.Range(0, 50).Select(i => $"team-{i},bad\n"));

        var directory = OwnerDirectoryParser.Parse(content, DirectoryFormat.Csv);

        Assert.Equal(21, directory.Errors.Count);
        Assert.Equal(("content", "and 30 more errors"), directory.Errors[^1]);
    }
}
