using System.Text.Json;

namespace WarpDrive.Tests;

/// <summary>wd says when the fast engine is missing (issue 20): <c>wd list</c> shows each device's engine and, when
/// ISA-L is absent, a one-line note; the first compression of a process says it once on stderr, never with -q.
/// <c>WD_DISABLE_ISAL=1</c> makes wd behave as on a machine without libisal2.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
public sealed class EngineNoteCliTests : IDisposable
{
    private const string Note = "ISA-L (libisal2) is not installed: compression runs on zlib, 3x slower or more; apt-get install libisal2";
    private static readonly Dictionary<string, string> s_noIsal = new() { ["WD_DISABLE_ISAL"] = "1", ["WD_MODE"] = "local" };
    private readonly string _dir = Directory.CreateTempSubdirectory("wd-note-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    [Fact]
    public void Wd_list_shows_every_devices_engine_and_the_note_when_isal_is_missing()
    {
        (int code, string stdout, string stderr) = CliRunner.Wd("list", env: s_noIsal);
        Assert.True(code == 0, stderr);
        Assert.Matches(@"zip-0 .* zlib ", stdout);
        Assert.Matches(@"sec-0 .* openssl,bouncycastle ", stdout);
        Assert.Matches(@"hpre-0 .* openssl,bouncycastle ", stdout);
        Assert.Equal($"note: {Note}", stdout.TrimEnd('\n').Split('\n')[^1]);

        (int jsonCode, string json, _) = CliRunner.Wd("list --json", env: s_noIsal);
        Assert.Equal(0, jsonCode);
        using JsonDocument doc = JsonDocument.Parse(json);
        Assert.Contains(doc.RootElement.EnumerateArray(), d => d.GetProperty("attributes").GetProperty("engine").GetString() == "zlib");
    }

    [Fact]
    public void Wd_list_has_no_note_where_isal_is_installed_or_zlib_is_chosen()
    {
        // zlib chosen on purpose (WD_ZIP_ENGINE) on a machine that has ISA-L is no reason for a note.
        (int code, string stdout, string stderr) = CliRunner.Wd("list", env: new() { ["WD_ZIP_ENGINE"] = "zlib", ["WD_MODE"] = "local" });
        Assert.True(code == 0, stderr);
        Assert.Matches(@"zip-0 .* zlib ", stdout);
        Assert.Equal(Devices.Engines.DeflateEngine.IsalMissing, stdout.Contains(Note, StringComparison.Ordinal));
    }

    [Fact]
    public void The_first_compression_says_it_once_on_stderr_and_not_with_q()
    {
        File.WriteAllText(PathOf("a"), "alpha alpha alpha\n");
        File.WriteAllText(PathOf("b"), "beta beta beta\n");
        (int code, _, string stderr) = CliRunner.Wd($"gzip -k '{PathOf("a")}' '{PathOf("b")}'", env: s_noIsal);
        Assert.True(code == 0, stderr);
        Assert.Equal($"wd: note: {Note}\n", stderr); // two files, one note
        Assert.True(File.Exists(PathOf("b.gz")));

        (code, _, stderr) = CliRunner.Wd($"gzip -q -f -k '{PathOf("a")}'", env: s_noIsal);
        Assert.Equal(0, code);
        Assert.Equal("", stderr);

        (code, _, stderr) = CliRunner.Wd($"compress -a gzip -o '{PathOf("c.gz")}' '{PathOf("a")}'", env: s_noIsal);
        Assert.True(code == 0, stderr);
        Assert.Equal($"wd: note: {Note}\n", stderr);

        // Decompression is not compression: no note.
        (code, _, stderr) = CliRunner.Wd($"gzip -d -c '{PathOf("a.gz")}'", env: s_noIsal);
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
    }
}
