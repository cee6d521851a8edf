<?xml version="1.0" encoding="UTF-8"?>
<!-- A PLS 1.0 lexicon as authoring tools write it: default namespace, schema location, comments. -->
<lexicon version="1.0"
      xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
      xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
      xsi:schemaLocation="http://www.w3.org/2005/01/pronunciation-lexicon
        http://www.w3.org/TR/2007/CR-pronunciation-lexicon-20071212/pls.xsd"
      alphabet="ipa" xml:lang="en-NG">
  <lexeme>
    <grapheme>Chukwuemeka</grapheme>
    <grapheme>Chukwu-Emeka</grapheme>
    <phoneme>tʃukwuˈɛmɛka</phoneme>
    <alias>Chook-woo-emeka</alias>
  </lexeme>
  <lexeme>
    <grapheme>GTB</grapheme>
    <alias>Guaranty Trust Bank</alias>
  </lexeme>
  <lexeme>
    <grapheme>Ikeja</grapheme>
    <phoneme alphabet="x-sampa">i"kEdZa</phoneme>
  </lexeme>
  <lexeme>
    <grapheme><![CDATA[AT&T]]></grapheme>
    <alias>A T and T</alias>
  </lexeme>
</lexicon>
