package io.jvirt.apiserver.selection;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvirt.apiserver.http.ApiException;
import io.jvirt.apiserver.validation.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * A parsed {@code labelSelector} in apimachinery's grammar: comma-separated requirements {@code k=v}, {@code k==v},
 * {@code k!=v}, {@code k in (a,b)}, {@code k notin (a,b)}, {@code k}, {@code !k}, {@code k gt 3}, {@code k lt 3}
 * (also {@code >} and {@code <}). Keys are qualified names and values label values; a selector that does not parse is
 * a 400 BadRequest with kube-apiserver's parser message ({@code unable to parse requirement: ...},
 * {@code found 'x', expected: ...}). Immutable, thread-safe.
 */
public final class LabelSelector implements Predicate<JsonNode> {
    private enum Op { EXISTS, NOT_EXISTS, EQUALS, NOT_EQUALS, IN, NOT_IN, GT, LT }

    private record Requirement(String key, Op op, Set<String> values) {}

    private final List<Requirement> requirements;

    private LabelSelector(List<Requirement> requirements) {
        this.requirements = requirements;
    }

    /** @throws ApiException 400 with the parser's message on a selector that does not parse */
    public static LabelSelector parse(String text) {
        if (text == null || text.isBlank()) return new LabelSelector(List.of());
        try {
            return new LabelSelector(new Parser(Lexer.scan(text)).parse());
        } catch (SyntaxError e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    /** Whether the object's metadata.labels satisfy every requirement. */
    @Override
    public boolean test(JsonNode object) {
        JsonNode labels = object.path("metadata").path("labels");
        for (Requirement r : requirements) {
            boolean has = labels.has(r.key());
            String v = labels.path(r.key()).asText();
            boolean ok = switch (r.op()) {
                case EQUALS, IN -> has && r.values().contains(v);
                case NOT_EQUALS, NOT_IN -> !has || !r.values().contains(v);
                case EXISTS -> has;
                case NOT_EXISTS -> !has;
                case GT, LT -> has && compares(v, r);
            };
            if (!ok) return false;
        }
        return true;
    }

    private static boolean compares(String value, Requirement r) {
        long actual;
        try {
            actual = Long.parseLong(value);
        } catch (NumberFormatException e) {
            return false;
        }
        long bound = Long.parseLong(r.values().iterator().next());
        return r.op() == Op.GT ? actual > bound : actual < bound;
    }

    private static final class SyntaxError extends Exception {
        private static final long serialVersionUID = 1L;

        SyntaxError(String message) {
            super(message, null, false, false);
        }
    }

    private enum Token { IDENTIFIER, IN, NOT_IN, EQUALS, DOUBLE_EQUALS, NOT_EQUALS, GREATER, LESS, NOT, OPEN, CLOSE, COMMA, END, ERROR }

    private record Item(Token token, String literal) {}

    /** apimachinery's selector lexer: special symbols {@code = ! ( ) , > <}, whitespace, and identifiers or keywords. */
    private static final class Lexer {
        static List<Item> scan(String text) {
            List<Item> items = new ArrayList<>();
            int i = 0;
            while (true) {
                while (i < text.length() && " \t\r\n".indexOf(text.charAt(i)) >= 0) i++;
                if (i >= text.length()) {
                    items.add(new Item(Token.END, ""));
                    return items;
                }
                int start = i;
                if (special(text.charAt(i))) {
                    Item last = null;
                    int end = i;
                    while (end < text.length() && special(text.charAt(end))) {
                        Token t = symbol(text.substring(i, end + 1));
                        if (t != null) {
                            last = new Item(t, text.substring(i, end + 1));
                        } else if (last != null) {
                            break;
                        }
                        end++;
                    }
                    if (last == null) {
                        items.add(new Item(Token.ERROR, "error expected: keyword found '" + text.substring(i, end) + "'"));
                        i = end;
                    } else {
                        items.add(last);
                        i = start + last.literal().length();
                    }
                    continue;
                }
                while (i < text.length() && !special(text.charAt(i)) && " \t\r\n".indexOf(text.charAt(i)) < 0) i++;
                String word = text.substring(start, i);
                items.add(new Item(word.equals("in") ? Token.IN : word.equals("notin") ? Token.NOT_IN : Token.IDENTIFIER, word));
            }
        }

        private static boolean special(char c) {
            return "=!(),><".indexOf(c) >= 0;
        }

        private static Token symbol(String s) {
            return switch (s) {
                case "=" -> Token.EQUALS;
                case "==" -> Token.DOUBLE_EQUALS;
                case "!=" -> Token.NOT_EQUALS;
                case "!" -> Token.NOT;
                case "(" -> Token.OPEN;
                case ")" -> Token.CLOSE;
                case "," -> Token.COMMA;
                case ">" -> Token.GREATER;
                case "<" -> Token.LESS;
                default -> null;
            };
        }
    }

    /** apimachinery's selector parser, with its error messages. */
    private static final class Parser {
        private final List<Item> items;
        private int position;

        Parser(List<Item> items) {
            this.items = items;
        }

        /** In a value position the keywords {@code in} and {@code notin} are plain identifiers. */
        private Item lookahead(boolean values) {
            Item item = items.get(position);
            return values && (item.token() == Token.IN || item.token() == Token.NOT_IN) ? new Item(Token.IDENTIFIER, item.literal()) : item;
        }

        private Item consume(boolean values) {
            Item item = lookahead(values);
            if (position < items.size() - 1) position++;
            return item;
        }

        List<Requirement> parse() throws SyntaxError {
            List<Requirement> requirements = new ArrayList<>();
            while (true) {
                Item next = lookahead(true);
                switch (next.token()) {
                    case IDENTIFIER, NOT -> {
                        try {
                            requirements.add(requirement());
                        } catch (SyntaxError e) {
                            throw new SyntaxError("unable to parse requirement: " + e.getMessage());
                        }
                        Item after = consume(true);
                        if (after.token() == Token.END) return requirements;
                        if (after.token() != Token.COMMA) {
                            throw new SyntaxError("found '" + after.literal() + "', expected: ',' or 'end of string'");
                        }
                        Item following = lookahead(true);
                        if (following.token() != Token.IDENTIFIER && following.token() != Token.NOT) {
                            throw new SyntaxError("found '" + following.literal() + "', expected: identifier after ','");
                        }
                    }
                    case END -> {
                        return requirements;
                    }
                    default -> throw new SyntaxError("found '" + next.literal() + "', expected: !, identifier, or 'end of string'");
                }
            }
        }

        private Requirement requirement() throws SyntaxError {
            boolean negated = false;
            Item key = consume(true);
            if (key.token() == Token.NOT) {
                negated = true;
                key = consume(true);
            }
            if (key.token() != Token.IDENTIFIER) throw new SyntaxError("found '" + key.literal() + "', expected: identifier");
            List<String> keyErrors = Names.qualifiedName(key.literal());
            if (!keyErrors.isEmpty()) {
                throw new SyntaxError("<nil>: Invalid value: " + Names.quote(key.literal()) + ": " + String.join("; ", keyErrors));
            }
            Token after = lookahead(true).token();
            if (after == Token.END || after == Token.COMMA || negated) {
                return new Requirement(key.literal(), negated ? Op.NOT_EXISTS : Op.EXISTS, Set.of());
            }
            Item operator = consume(false);
            Op op = switch (operator.token()) {
                case IN -> Op.IN;
                case NOT_IN -> Op.NOT_IN;
                case EQUALS, DOUBLE_EQUALS -> Op.EQUALS;
                case NOT_EQUALS -> Op.NOT_EQUALS;
                case GREATER -> Op.GT;
                case LESS -> Op.LT;
                default -> throw new SyntaxError("found '" + operator.literal() + "', expected: in, notin, =, ==, !=, gt, lt");
            };
            Set<String> values = op == Op.IN || op == Op.NOT_IN ? valueSet() : exactValue();
            if (op == Op.GT || op == Op.LT) {
                try {
                    Long.parseLong(values.iterator().next());
                } catch (NumberFormatException e) {
                    throw new SyntaxError("values[0]: Invalid value: " + Names.quote(values.iterator().next())
                            + ": for 'Gt', 'Lt' operators, the value must be an integer");
                }
            }
            int index = 0;
            for (String v : values) {
                List<String> errors = Names.labelValue(v);
                if (!errors.isEmpty()) {
                    throw new SyntaxError("values[" + index + "]: Invalid value: " + Names.quote(v) + ": " + String.join("; ", errors));
                }
                index++;
            }
            return new Requirement(key.literal(), op, values);
        }

        private Set<String> valueSet() throws SyntaxError {
            Item open = consume(true);
            if (open.token() != Token.OPEN) throw new SyntaxError("found '" + open.literal() + "' expected: '('");
            Item first = lookahead(true);
            switch (first.token()) {
                case IDENTIFIER, COMMA -> {
                    Set<String> values = identifiers();
                    if (consume(true).token() != Token.CLOSE) throw new SyntaxError("found '" + first.literal() + "', expected: ')'");
                    return values;
                }
                case CLOSE -> {
                    consume(true);
                    return new TreeSet<>(Set.of(""));
                }
                default -> throw new SyntaxError("found '" + first.literal() + "', expected: ',', ')' or identifier");
            }
        }

        private Set<String> identifiers() throws SyntaxError {
            Set<String> values = new TreeSet<>();
            while (true) {
                Item item = consume(true);
                switch (item.token()) {
                    case IDENTIFIER -> {
                        values.add(item.literal());
                        Item next = lookahead(true);
                        if (next.token() == Token.COMMA) continue;
                        if (next.token() == Token.CLOSE) return values;
                        throw new SyntaxError("found '" + next.literal() + "', expected: ',' or ')'");
                    }
                    case COMMA -> {
                        if (values.isEmpty()) values.add("");
                        Token next = lookahead(true).token();
                        if (next == Token.CLOSE) {
                            values.add("");
                            return values;
                        }
                        if (next == Token.COMMA) {
                            consume(true);
                            values.add("");
                        }
                    }
                    default -> throw new SyntaxError("found '" + item.literal() + "', expected: ',', or identifier");
                }
            }
        }

        private Set<String> exactValue() throws SyntaxError {
            Token next = lookahead(true).token();
            if (next == Token.END || next == Token.COMMA) return Set.of("");
            Item item = consume(true);
            if (item.token() == Token.IDENTIFIER) return Set.of(item.literal());
            throw new SyntaxError("found '" + item.literal() + "', expected: identifier");
        }
    }
}
