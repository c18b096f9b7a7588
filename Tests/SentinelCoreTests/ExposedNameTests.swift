import Testing
@testable import SentinelCore

struct ExposedNameTests {
    static func isValid(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.unicodeScalars.allSatisfy { scalar in
                ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                    || scalar == "_" || scalar == "-"
            }
    }

    static func hasHashSuffix(_ name: String) -> Bool {
        let suffix = Array(name.utf8.suffix(9))
        return suffix.count == 9 && suffix[0] == UInt8(ascii: "_")
            && suffix.dropFirst().allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    @Test func nameIsServerDoubleUnderscoreTool() {
        #expect(ExposedName.preferred(server: "github", tool: "create_issue") == "github__create_issue")
        #expect(ExposedName.assign([(server: "github", tool: "create-issue")]) == ["github/create-issue": "github__create-issue"])
    }

    @Test func dotsSpacesAndOtherCharactersBecomeUnderscores() {
        #expect(ExposedName.preferred(server: "fs", tool: "read.file") == "fs__read_file")
        #expect(ExposedName.preferred(server: "fs", tool: "read file") == "fs__read_file")
        #expect(ExposedName.preferred(server: "fs", tool: "lire/écrire") == "fs__lire__crire")
        #expect(ExposedName.preferred(server: "fs", tool: "Mixed-Case_09") == "fs__Mixed-Case_09")
    }

    @Test func nameOfExactly64IsKept() {
        let tool = String(repeating: "t", count: 64 - "srv__".count)
        #expect(ExposedName.preferred(server: "srv", tool: tool) == "srv__" + tool)
    }

    @Test func longNamesAreCutTo64WithAStableHashSuffix() {
        let tool = String(repeating: "x", count: 80)
        let name = ExposedName.preferred(server: "srv", tool: tool)
        #expect(name.utf8.count == 64)
        #expect(name.hasPrefix("srv__xxxx"))
        #expect(Self.hasHashSuffix(name))
        #expect(name == ExposedName.preferred(server: "srv", tool: tool))
        #expect(name.hasSuffix("_" + ExposedName.fnv1a32Hex("srv/" + tool)))
        #expect(Self.isValid(name))
        // A different long name with the same 55-character prefix gets a different suffix.
        let other = ExposedName.preferred(server: "srv", tool: tool + "y")
        #expect(other != name)
        #expect(other.utf8.count == 64)
    }

    @Test func hashIsFNV1a32InLowerCaseHex() {
        #expect(ExposedName.fnv1a32Hex("") == "811c9dc5")
        #expect(ExposedName.fnv1a32Hex("a") == "e40c292c")
        #expect(ExposedName.fnv1a32Hex("foobar") == "bf9cf968")
    }

    @Test func pairsCollidingAfterSanitisingBothGetDistinctHashedNames() {
        let names = ExposedName.assign([(server: "fs", tool: "a.b"), (server: "fs", tool: "a b"), (server: "fs", tool: "c")])
        let dotted = names["fs/a.b"]
        let spaced = names["fs/a b"]
        #expect(dotted != nil && spaced != nil)
        #expect(dotted != spaced)
        #expect(dotted != "fs__a_b" && spaced != "fs__a_b")
        #expect(dotted.map(Self.hasHashSuffix) == true)
        #expect(spaced.map(Self.hasHashSuffix) == true)
        #expect(names["fs/c"] == "fs__c")
    }

    @Test func assignmentDoesNotDependOnInputOrder() {
        let pairs: [(server: String, tool: String)] = [
            (server: "fs", tool: "a.b"), (server: "fs", tool: "a b"), (server: "git", tool: "log"),
            (server: "git", tool: String(repeating: "long", count: 20)), (server: "fs", tool: "read"),
        ]
        let forward = ExposedName.assign(pairs)
        #expect(forward.count == pairs.count)
        #expect(ExposedName.assign(pairs.reversed()) == forward)
        #expect(ExposedName.assign([pairs[3], pairs[1], pairs[4], pairs[0], pairs[2]]) == forward)
    }

    @Test func everyAssignedNameIsValidAndUnique() {
        var pairs: [(server: String, tool: String)] = []
        for server in ["a", "github", String(repeating: "s", count: 48)] {
            for tool in ["x", "x.y", "x y", "x_y", "ünïcödé", String(repeating: "t", count: 70), "", "tool/with/slashes", "日本語"] {
                pairs.append((server: server, tool: tool))
            }
        }
        let names = ExposedName.assign(pairs)
        #expect(names.count == pairs.count)
        for (key, name) in names {
            #expect(Self.isValid(name), "\(key) -> \(name)")
        }
        #expect(Set(names.values).count == names.count)
    }

    /// A tool named like another tool's hashed name must not take that name as well.
    @Test func assignedNamesStayUniqueWhenAToolIsNamedLikeAHashedName() {
        let hashed = ExposedName.hashed(server: "fs", tool: "a.b")
        let impostor = String(hashed.dropFirst("fs__".count))
        let names = ExposedName.assign([(server: "fs", tool: "a.b"), (server: "fs", tool: "a b"), (server: "fs", tool: impostor)])
        #expect(Set(names.values).count == 3, "\(names)")
    }

    // MARK: - Pinned names (an enabled tool keeps its name)

    /// Issue 11, defect 5: `get.data` was enabled as `fm__get_data`; a newcomer `get_data` must not rename it.
    @Test func aNewcomerCollidingWithAPinnedNameTakesItsHashedName() {
        let before = ExposedName.assign([(server: "fm", tool: "get.data")])
        #expect(before["fm/get.data"] == "fm__get_data")
        let after = ExposedName.assign(
            [(server: "fm", tool: "get.data"), (server: "fm", tool: "get_data")], pinned: ["fm/get.data": "fm__get_data"])
        #expect(after["fm/get.data"] == "fm__get_data")
        #expect(after["fm/get_data"] == ExposedName.hashed(server: "fm", tool: "get_data"))
        // Without the pin both collide and both take their hashes, as before.
        let unpinned = ExposedName.assign([(server: "fm", tool: "get.data"), (server: "fm", tool: "get_data")])
        #expect(unpinned["fm/get.data"] == ExposedName.hashed(server: "fm", tool: "get.data"))
    }

    @Test func aPinnedHashedNameStaysWhenItsCollisionGoesAway() {
        let hashed = ExposedName.hashed(server: "fs", tool: "a.b")
        let names = ExposedName.assign([(server: "fs", tool: "a.b")], pinned: ["fs/a.b": hashed])
        #expect(names == ["fs/a.b": hashed])
    }

    @Test func aToolWhoseHashedNameIsPinnedByAnotherIsNumbered() {
        let hashed = ExposedName.hashed(server: "fs", tool: "a.b")
        // "fs/x" was enabled under exactly the name "fs/a.b" would hash to (as if through a true hash collision).
        let names = ExposedName.assign(
            [(server: "fs", tool: "a.b"), (server: "fs", tool: "a b"), (server: "fs", tool: "x")], pinned: ["fs/x": hashed])
        #expect(names["fs/x"] == hashed)
        #expect(names["fs/a.b"] == String(hashed.prefix(ExposedName.maximumLength - 2)) + "_1")
        #expect(Set(names.values).count == 3, "\(names)")
    }

    @Test func twoPinsOnOneNameKeepItForTheFirstPairOnly() {
        let names = ExposedName.assign(
            [(server: "b", tool: "t"), (server: "a", tool: "t")], pinned: ["a/t": "same", "b/t": "same"])
        #expect(names["a/t"] == "same")
        #expect(names["b/t"] == "b__t")
    }

    @Test func pinnedAssignmentDoesNotDependOnInputOrderAndStaysUnique() {
        var pairs: [(server: String, tool: String)] = []
        for tool in ["x", "x.y", "x y", "x_y", "ünïcödé", String(repeating: "t", count: 70), ""] {
            pairs.append((server: "s", tool: tool))
        }
        let pinned = ["s/x.y": "s__x_y", "s/ünïcödé": "s__x"]
        let forward = ExposedName.assign(pairs, pinned: pinned)
        #expect(ExposedName.assign(pairs.reversed(), pinned: pinned) == forward)
        #expect(forward["s/x.y"] == "s__x_y" && forward["s/ünïcödé"] == "s__x")
        #expect(Set(forward.values).count == pairs.count, "\(forward)")
        for name in forward.values { #expect(Self.isValid(name), "\(name)") }
    }
}
